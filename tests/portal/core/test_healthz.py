# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.conf import settings


def test_healthz_reports_every_dependency(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {
        "status": "ok",
        "vendor": __import__("django.db").db.connection.vendor,
    }
    if settings.REDIS_URL:
        assert body["redis"]["status"] == "ok"
        assert body["celery"]["status"] == "ok"
    else:
        assert body["redis"]["status"] == "embedded"
        assert body["celery"]["status"] == "inline"


def test_healthz_is_503_when_configured_redis_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["redis"]["status"] == "down"
    assert body["database"]["status"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "down"


@pytest.mark.django_db
def test_healthz_is_served_over_plain_http_for_probes(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
