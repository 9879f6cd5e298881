# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.leads.referrals import referral_link_for
from tests.factories import PASSWORD, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_prospect_submits_through_the_link_and_the_referrer_sees_it(page, live_server, artifacts):
    ProgramFactory(name="Customer referrals", pitch="We help teams run operations on one platform.")
    referrer = UserFactory(first_name="Emma", last_name="Employee", email="emma@demo.vouch.test")
    link = referral_link_for(user=referrer)

    page.goto(f"{live_server.url}/r/{link.code}/")
    expect(page.get_by_role("heading", name="Emma Employee thinks we should talk")).to_be_visible()
    page.get_by_label("Your name").fill("Paula Prospect")
    page.get_by_label("Your e-mail").fill("paula@prospect.example")
    page.get_by_label("Your company").fill("Prospect AB")
    page.get_by_label("I agree to be contacted about this referral.").check()
    page.screenshot(path=str(artifacts / "referral-link-form.png"), full_page=True)
    page.get_by_role("button", name="Get in touch").click()
    expect(page.get_by_role("heading", name="Thank you — we will be in touch")).to_be_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", referrer.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Paula Prospect")
    expect(row).to_be_visible()
    expect(row.get_by_text("Submitted")).to_be_visible()
    page.screenshot(path=str(artifacts / "my-referrals.png"), full_page=True)
