# SPDX-License-Identifier: AGPL-3.0-or-later
"""PostgreSQL prepares the statements a connection runs often (DATABASE_PREPARE_THRESHOLD):
Django turns psycopg's preparing off unless asked, and then every request's queries are
parsed and planned again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]


def _prepared_on_this_connection() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_a_query_run_often_is_prepared_once_on_postgresql(client):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    user = UserFactory()
    client.force_login(user)
    # Every signed-in request reads its user; past the threshold PostgreSQL keeps the plan.
    for _ in range(6):
        assert client.get("/me/").status_code == 200
    prepared = _prepared_on_this_connection()
    assert any('FROM "accounts_user"' in sql for sql in prepared), prepared


def _options(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    clean.update({"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings.base", **env})
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_threshold_is_set_and_zero_turns_preparing_off():
    url = {"DATABASE_URL": "postgres://vouch:pw@db:5432/vouch"}
    assert "'prepare_threshold': 5" in _options(url)
    assert "'prepare_threshold': 2" in _options({**url, "DATABASE_PREPARE_THRESHOLD": "2"})
    assert "'prepare_threshold': None" in _options({**url, "DATABASE_PREPARE_THRESHOLD": "0"})
    # SQLite has no such thing.
    assert "prepare_threshold" not in _options({"DATABASE_URL": "sqlite:///x.sqlite3"})
