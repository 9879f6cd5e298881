# SPDX-License-Identifier: AGPL-3.0-or-later
"""Used only by `make mutate` (scripts/mutate.py copies it as conftest.py into each
module's work copy). mutmut runs one pytest session per mutant; instead of creating or
checking the test database each time, every session works on its own copy of a database
migrated once (``VOUCH_MUTATE_DB``), so sessions start fast and can run side by side."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    from django.conf import settings
    from django.db import connections

    template = os.environ.get("VOUCH_MUTATE_DB")
    if not template:
        raise pytest.UsageError("VOUCH_MUTATE_DB is not set: run this through `make mutate`")
    copy = Path(f"{template}.{os.getpid()}")
    shutil.copyfile(template, copy)
    connection = connections["default"]
    connection.close()
    for db in (settings.DATABASES["default"], connection.settings_dict):
        db["NAME"] = str(copy)
        db.setdefault("TEST", {})["NAME"] = str(copy)
    yield
    connection.close()
    copy.unlink(missing_ok=True)
