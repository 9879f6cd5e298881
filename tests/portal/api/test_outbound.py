# SPDX-License-Identifier: AGPL-3.0-or-later
"""/api/v1/outbound/: partners list, read and update the leads sent to them."""

from __future__ import annotations

import pytest

from portal.networks.models import OutboundLead
from tests.factories import ReciprocalTermsFactory, send_outbound


@pytest.fixture
def sent(acme, program, employee, other_partner_admin):
    ReciprocalTermsFactory(organisation=acme)
    ReciprocalTermsFactory(organisation=other_partner_admin.partner_organisation)
    return {
        "acme": send_outbound(employee, acme, program, name="Ada Acmeprospect"),
        "other": send_outbound(employee, other_partner_admin.partner_organisation, program),
    }


def test_a_partner_lists_only_the_leads_sent_to_them(api_as, sent, partner_user):
    body = api_as(partner_user).get("/api/v1/outbound/").json()
    assert [row["id"] for row in body["results"]] == [sent["acme"].pk]
    assert body["results"][0]["contact"]["name"] == "Ada Acmeprospect"
    assert body["results"][0]["organisation"]["name"] == "Acme Partners"


def test_a_manager_reads_the_team_s_lead_without_contact(api_as, sent, manager):
    # Managers hold no API token of their own in practice; the selector still decides.
    row = api_as(manager).get(f"/api/v1/outbound/{sent['acme'].pk}/").json()
    assert row["contact"] is None


def test_the_partner_accepts_wins_and_loses_through_the_api(
    api_as, sent, partner_admin, program, employee
):
    api = api_as(partner_admin)
    pk = sent["acme"].pk
    assert api.post(f"/api/v1/outbound/{pk}/accept/").json()["status"] == "accepted"
    assert api.post(f"/api/v1/outbound/{pk}/accept/").status_code == 409
    assert (
        api.post(f"/api/v1/outbound/{pk}/win/", {"deal_value": "x", "currency": "EUR"}).status_code
        == 400
    )
    won = api.post(f"/api/v1/outbound/{pk}/win/", {"deal_value": "300.00", "currency": "EUR"})
    assert (won.status_code, won.json()["deal_value"]) == (200, "300.00")
    second = send_outbound(employee, partner_admin.partner_organisation, program)
    lost = api.post(f"/api/v1/outbound/{second.pk}/lose/", {"reason": "Not our market"})
    assert lost.json()["lost_reason"] == "Not our market"


def test_another_partner_and_the_sender_change_nothing(api_as, sent, other_partner_admin, employee):
    pk = sent["acme"].pk
    assert api_as(other_partner_admin).post(f"/api/v1/outbound/{pk}/accept/").status_code == 404
    assert api_as(other_partner_admin).get(f"/api/v1/outbound/{pk}/").status_code == 404
    assert api_as(employee).post(f"/api/v1/outbound/{pk}/accept/").status_code == 403
    assert OutboundLead.objects.get(pk=pk).status == "sent"
