# SPDX-License-Identifier: AGPL-3.0-or-later
"""Open redirects: every ``next`` is checked by portal.core.redirects."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.core.redirects import safe_next
from portal.leads import services as leads
from portal.payouts.models import Commission
from tests.factories import submit_lead

HOSTILE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
    "payouts_admin:batches",  # a URL name: redirect() would resolve it
]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_falls_back(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request=request, fallback="/home/") == "/home/"


@pytest.mark.parametrize("target", ["/admin/payouts/?status=approved", "http://testserver/a/"])
def test_a_target_on_this_site_is_followed(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request=request, fallback="/home/") == target


@pytest.mark.parametrize("target", HOSTILE[:3])
def test_finance_approve_does_not_send_finance_elsewhere(
    client, finance, partner_user, reviewer, program, flat_plan, target
):
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    commission = Commission.objects.get()
    client.force_login(finance)
    response = client.post(
        reverse("payouts_admin:commission_act", args=[commission.pk]),
        {"action": "approve", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("payouts_admin:commissions")
    commission.refresh_from_db()
    assert commission.status == "approved"  # the action itself still happened


def test_finance_approve_returns_to_the_filtered_list(
    client, finance, partner_user, reviewer, program, flat_plan
):
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    commission = Commission.objects.get()
    client.force_login(finance)
    back = reverse("payouts_admin:commissions") + "?status=pending"
    response = client.post(
        reverse("payouts_admin:commission_act", args=[commission.pk]),
        {"action": "approve", "next": back},
    )
    assert response["Location"] == back


def test_bulk_review_does_not_send_the_reviewer_elsewhere(client, reviewer, employee, program):
    lead = submit_lead(employee, program)
    client.force_login(reviewer)
    response = client.post(
        reverse("leads_admin:bulk"),
        {"action": "qualify", "lead": [lead.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("leads_admin:queue")


def test_invitation_revoke_does_not_send_the_admin_elsewhere(client, partner_admin):
    from portal.accounts import services as accounts

    invitation, _token = accounts.invitation_create(
        actor=partner_admin,
        organisation=partner_admin.partner_organisation,
        email="new@acme.example",
        as_admin=False,
    )
    client.force_login(partner_admin)
    response = client.post(
        reverse("accounts:organisation_invitation_revoke", args=[invitation.pk]),
        {"next": "//evil.example/"},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
