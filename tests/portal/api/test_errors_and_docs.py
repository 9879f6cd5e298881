# SPDX-License-Identifier: AGPL-3.0-or-later
"""Error shape, rate limiting, and the docs page under the portal's CSP."""

from __future__ import annotations

import re

from portal.leads.models import Lead


def test_rate_limit_answers_429_with_retry_after(settings, api_as, employee, partner_user):
    settings.API_RATE_LIMIT = "3/min"
    api = api_as(employee)
    assert [api.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/api/v1/me/")
    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    # writes are counted too, and nothing is saved
    assert api.post("/api/v1/leads/", {"name": "x"}).status_code == 429
    assert not Lead.objects.exists()
    # per user: someone else still gets through
    assert api_as(partner_user).get("/api/v1/me/").status_code == 200


def test_unknown_paths_and_methods_answer_json(api_as, employee):
    api = api_as(employee)
    missing = api.get("/api/v1/nothing/here/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = api.client.delete("/api/v1/leads/", headers=api._headers(None))
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert "GET" in wrong["Allow"]


def test_only_json_bodies(api_as, employee):
    api = api_as(employee)
    response = api.client.post("/api/v1/leads/", {"name": "x"}, headers=api._headers(None))
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_errors_come_in_the_user_s_language(api_as, employee):
    employee.language = "fi"
    employee.save()
    response = api_as(employee).get("/api/v1/leads/", {"status": "nope"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"  # stable
    message = response.json()["fields"]["status"][0]
    assert "nope" in message and "is not a valid choice" not in message  # Finnish, not English


def test_session_login_works_for_the_browsable_docs(client, employee):
    client.force_login(employee)
    assert client.get("/api/v1/me/").json()["email"] == employee.email


def test_session_writes_need_the_csrf_token(employee):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(employee)
    response = browser.post("/api/v1/leads/", "{}", content_type="application/json")
    assert response.status_code == 403


def test_docs_page_keeps_the_strict_csp_and_loads_only_local_assets(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert "<style" not in html and "style=" not in html  # no inline style either
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing external
    for source in sources:
        if source.startswith("/static/"):
            from django.contrib.staticfiles import finders

            assert finders.find(source.removeprefix("/static/").split("?")[0]), source
    script = client.get(next(s for s in sources if "script" in s and not s.startswith("/static/")))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/openapi.json" in script.content.decode()


def test_the_schema_is_public_json(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "Vouch API"
