# SPDX-License-Identifier: AGPL-3.0-or-later
"""Commissions and statements over the API: a partner never sees another's money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.leads import services as leads
from portal.payouts.models import Commission, CommissionPlan, ProgramCommissionSettings
from tests.factories import submit_lead


@pytest.fixture
def money(program, reviewer, employee, partner_user, partner_admin, other_partner_admin):
    """A flat 100 EUR per qualified partner lead, a 250 EUR bonus per employee win."""
    plan = CommissionPlan.objects.create(
        name="Flat 100", kind="flat", flat_amount=Decimal("100.00"), hold_days=30
    )
    ProgramCommissionSettings.objects.create(
        program=program, partner_plan=plan, employee_bonus=Decimal("250.00")
    )
    made = {}
    for key, person in [
        ("partner", partner_user),
        ("partner_admin", partner_admin),
        ("other", other_partner_admin),
    ]:
        lead = submit_lead(person, program)
        leads.lead_qualify(lead=lead, actor=reviewer)
        made[key] = lead.commissions.get()
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000", currency="EUR")
    made["employee"] = lead.commissions.get()
    return made


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("finance", {"partner", "partner_admin", "other", "employee"}),
        ("partner_admin", {"partner", "partner_admin"}),
        ("other_partner_admin", {"other"}),
        ("employee", {"employee"}),
        ("manager", set()),
        ("reviewer", set()),
    ],
)
def test_commission_lists_follow_the_payouts_selector(request, api_as, money, persona, expected):
    response = api_as(request.getfixturevalue(persona)).get("/api/v1/commissions/")
    assert _ids(response) == {money[k].pk for k in expected}


def test_partner_users_get_the_summary_not_the_list(api_as, money, partner_user):
    api = api_as(partner_user)
    refused = api.get("/api/v1/commissions/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    summary = api.get("/api/v1/commissions/summary/").json()
    assert summary == [{"status": "pending", "currency": "EUR", "total": "200.00"}]


@pytest.mark.parametrize("persona", ["employee", "manager", "reviewer", "finance"])
def test_only_partners_have_a_summary(request, api_as, money, persona):
    assert (
        api_as(request.getfixturevalue(persona)).get("/api/v1/commissions/summary/").status_code
        == 403
    )


def test_commission_rows_and_filter(api_as, money, partner_admin):
    api = api_as(partner_admin)
    rows = api.get("/api/v1/commissions/").json()["results"]
    row = next(r for r in rows if r["id"] == money["partner"].pk)
    assert row["amount"] == "100.00" and row["currency"] == "EUR" and row["status"] == "pending"
    assert row["payee"] == {
        "type": "organisation",
        "id": partner_admin.partner_organisation_id,
        "name": "Acme Partners",
    }
    assert _ids(api.get("/api/v1/commissions/", {"status": "paid"})) == set()
    assert api.get("/api/v1/commissions/", {"status": "lots"}).status_code == 400


def test_statement_for_the_partner_admin_only(request, api_as, money, partner_admin):
    Commission.objects.filter(pk=money["partner"].pk).update(status="approved")
    today = timezone.localdate()
    path = f"/api/v1/statements/{today.year}/{today.month}/"
    body = api_as(partner_admin).get(path).json()
    assert body["month"] == today.strftime("%Y-%m") and body["currency"] == "EUR"
    assert body["earned"] == "200.00" and body["closing"] == "200.00"
    assert {c["id"] for c in body["commissions"]} == {
        money["partner"].pk,
        money["partner_admin"].pk,
    }
    other = api_as(request.getfixturevalue("other_partner_admin")).get(path).json()
    assert other["earned"] == "100.00"  # their own organisation's, never Acme's
    for persona in ["partner_user", "employee", "manager", "reviewer", "finance"]:
        assert api_as(request.getfixturevalue(persona)).get(path).status_code == 403, persona
    api = api_as(partner_admin)
    assert api.get(f"/api/v1/statements/{today.year}/13/").status_code == 404
    assert api.get("/api/v1/statements/99999/1/").status_code == 404
    assert api.get(path, {"currency": "euro"}).status_code == 400
    assert api.get(path, {"currency": "USD"}).json()["earned"] == "0.00"
