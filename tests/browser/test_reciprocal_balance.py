# SPDX-License-Identifier: AGPL-3.0-or-later
"""From a reciprocal balance page to the partner's update of an outbound lead."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import ensure_role_groups
from tests.factories import (
    PASSWORD,
    PartnerAdminFactory,
    PartnerOrganisationFactory,
    ProgramFactory,
    ReciprocalTermsFactory,
    UserFactory,
    send_outbound,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_partner_goes_from_the_balance_to_a_lead_and_marks_it_won(page, live_server, artifacts):
    ensure_role_groups()
    program = ProgramFactory(name="Customer referrals")
    acme = PartnerOrganisationFactory(name="Acme Partners", email_domain="acme.example")
    ReciprocalTermsFactory(organisation=acme, quota_sent=5, quota_received=4)
    admin = PartnerAdminFactory(
        partner_organisation=acme, first_name="Paula", email="paula@acme.example"
    )
    sender = UserFactory(first_name="Emma", last_name="Employee")
    outbound = send_outbound(sender, acme, program, name="Nora Nieminen", company="Nieminen Oy")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/network/partners/{acme.pk}/balance/")
    expect(page.get_by_role("heading", name="Reciprocity with Acme Partners")).to_be_visible()
    expect(page.get_by_text("1 of 5")).to_be_visible()
    expect(page.get_by_text("No conversion yet").first).to_be_visible()
    page.screenshot(path=str(artifacts / "reciprocal-balance.png"), full_page=True)

    page.get_by_role("link", name=f"Outbound lead #{outbound.pk}").click()
    expect(page.get_by_role("heading", name="Nora Nieminen")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted", exact=True).first).to_be_visible()
    page.get_by_label("Deal value").fill("4800")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_text("Updated. The sender has been told.")).to_be_visible()
    expect(page.get_by_text("Won by the partner")).to_be_visible()
    page.screenshot(path=str(artifacts / "outbound-won.png"), full_page=True)

    page.get_by_role("link", name="All outbound leads").click()
    page.get_by_role("link", name="Acme Partners").click()
    expect(page.get_by_text("100 % won by the partner")).to_be_visible()
