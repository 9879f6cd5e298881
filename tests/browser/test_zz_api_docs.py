# SPDX-License-Identifier: AGPL-3.0-or-later
"""The API docs page in Chromium. Named to run after test_login: its live server flushes
the database, data migrations (the home page) included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_load_the_schema_under_the_strict_csp(page, live_server, artifacts):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.get_by_role("heading", name="Vouch API")).to_be_visible()
    expect(page.get_by_text("/api/v1/leads/{id}/qualify/")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    page.get_by_text("/api/v1/me/", exact=True).first.click()  # an operation opens
    expect(page.get_by_text("My points, tiers, badges and ranks").first).to_be_visible()
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=False)

    violations = [p for p in problems if "Content Security Policy" in p]
    assert not violations, violations
    assert not problems, problems
    assert not [u for u in external if not u.startswith(("data:", "blob:"))], external
