# SPDX-License-Identifier: AGPL-3.0-or-later
"""The page's side of "live figures agree": the payload a qualification pushes to the
submitter (tests/portal/dashboards/test_live_figures.py checks what is sent) changes every
figure of their open dashboard together: balance, tier, counts, latest referrals, board."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.dashboards.handlers import figures_payload
from portal.leads.services import lead_qualify, lead_start_review
from portal.rewards.models import Tier
from tests.factories import PASSWORD, ProgramFactory, UserFactory, give_role, submit_lead

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_one_payload_updates_every_figure_of_the_open_dashboard(page, live_server, artifacts):
    program = ProgramFactory(name="Customer referrals")
    Tier.objects.create(program=program, name="Bronze", threshold=0)
    Tier.objects.create(program=program, name="Silver", threshold=50)
    employee = UserFactory(first_name="Emma", last_name="Employee", email="emma@demo.vouch.test")
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    lead = submit_lead(employee, program, company="Northwind Oy")
    lead_start_review(lead=lead, actor=reviewer)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", employee.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator('[data-fig="balance"]')).to_have_text("10")
    expect(page.locator(f'tr[data-lead="{lead.pk}"]')).to_contain_text("In review")

    lead_qualify(lead=lead, actor=reviewer)
    payload = figures_payload(user=employee)
    page.evaluate(
        "payload => document.dispatchEvent(new CustomEvent('vouch:live', {detail: payload}))",
        payload,
    )
    expect(page.locator('[data-fig="balance"]')).to_have_text("60")
    expect(page.locator('[data-fig="qualified"]')).to_have_text("1")
    expect(page.locator('[data-fig="tier"]')).to_contain_text("Tier: Silver")
    expect(page.locator("[data-my-total]")).to_have_text("60")
    expect(page.locator("[data-my-rank]")).to_have_text("#1")
    expect(page.locator(f'tr[data-lead="{lead.pk}"]')).to_contain_text("Qualified")
    # The board widget still follows board diffs after its block was replaced.
    page.evaluate(
        """id => document.dispatchEvent(new CustomEvent('vouch:live', {detail: {
            type: 'board', board: 'everyone.points.month', set: {'1': [id, 'Emma Employee', 75]}, drop: []
        }}))""",
        employee.pk,
    )
    expect(page.locator("[data-my-total]")).to_have_text("75")
    page.screenshot(path=str(artifacts / "dashboard-live-figures.png"), full_page=True)


def test_an_open_referral_page_reads_its_timeline_again_when_its_status_moves(page, live_server):
    program = ProgramFactory(name="Customer referrals")
    employee = UserFactory(email="emma@demo.vouch.test")
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    lead = submit_lead(employee, program)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", employee.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline).not_to_contain_text("In review")

    lead_start_review(lead=lead, actor=reviewer)
    page.evaluate(
        "payload => document.dispatchEvent(new CustomEvent('vouch:live', {detail: payload}))",
        figures_payload(user=employee),
    )
    expect(timeline).to_contain_text("In review")
    expect(page.locator('[data-live-part="lead"]')).to_have_attribute("data-status", "in_review")
