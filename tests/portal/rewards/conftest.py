# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True)
def _shipped_badges(request):
    """The badges the migration ships (first referral, first win, top three...), present
    in every database test: a ``transaction=True`` test ends by flushing the database,
    which takes migration data with it from a database kept between runs (``--reuse-db``,
    as ``make mutate`` runs them)."""
    if "db" in request.fixturenames:
        from django.apps import apps

        request.getfixturevalue("db")
        importlib.import_module("portal.rewards.migrations.0002_default_badges").add(apps, None)
    yield
