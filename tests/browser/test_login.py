# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_employee_logs_in_and_sees_their_dashboard(page, live_server, artifacts):
    employee = UserFactory(
        first_name="Emma", email="emma@demo.vouch.test", team=TeamFactory(name="Sales North")
    )
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Log in to refer").click()
    page.fill("input[name=login]", employee.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", name="Hello, Emma")).to_be_visible()
    expect(page.get_by_text("Team Sales North")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_have_class(
        re.compile("active")
    )
    page.screenshot(path=str(artifacts / "employee-dashboard.png"), full_page=True)
