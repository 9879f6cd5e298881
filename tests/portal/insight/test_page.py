# SPDX-License-Identifier: AGPL-3.0-or-later
"""/insight/: funnel, money and ROI equal what is counted by hand from a known history;
each role sees its own scope only; every CSV is its table; every figure opens its leads."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.leads import services as leads
from portal.leads.models import LinkVisit
from portal.leads.referrals import referral_link_for
from portal.payouts.models import Commission, PayoutBatch
from portal.rewards.models import Redemption, RewardItem
from tests.factories import PartnerUserFactory, TeamFactory, UserFactory, submit_lead


def _paid(lead, payee, amount, event, reverses=None):
    batch = PayoutBatch.objects.create(
        currency="EUR",
        cutoff=timezone.localdate(),
        status="paid",
        paid_at=timezone.now(),
        kind="partners" if payee.partner_organisation_id else "payroll",
        built_by=UserFactory(),
    )
    org = payee.partner_organisation
    return Commission.objects.create(
        lead=lead,
        program=lead.program,
        payee_org=org,
        payee_user=None if org else payee,
        event=event,
        amount=Decimal(amount),
        currency="EUR",
        hold_until=timezone.localdate(),
        status="paid",
        batch=batch,
        reverses=reverses,
    )


@pytest.fixture
def history(program, reviewer, employee, partner_user, other_partner_admin):
    """Six leads: the employee's three (won 1000, lost after qualifying, rejected), Acme's
    two through its link (won 500 then reversed, waiting), another organisation's one
    (won 2000). Four visits to Acme's link. Paid: 25 bonus (employee), 100 and its -100
    clawback (Acme), 100 (other). Two fulfilled rewards of 20.00 for the employee."""
    other = PartnerUserFactory(partner_organisation=other_partner_admin.partner_organisation)
    l1, l2, l3 = (submit_lead(employee, program) for _ in range(3))
    l4, l5 = (submit_lead(partner_user, program, source="link") for _ in range(2))
    l6 = submit_lead(other, program)
    for lead in (l1, l2, l4, l6):
        leads.lead_qualify(lead=lead, actor=reviewer)
    for lead, value in ((l1, "1000.00"), (l4, "500.00"), (l6, "2000.00")):
        leads.lead_mark_won(lead=lead, actor=reviewer, deal_value=value, currency="EUR")
    leads.lead_mark_lost(lead=l2, actor=reviewer, reason="Budget")
    leads.lead_reject(lead=l3, actor=reviewer, reason="invalid")
    leads.lead_reverse_deal(lead=l4, actor=reviewer, reason="Refund")
    link = referral_link_for(user=partner_user)
    for n in range(4):
        LinkVisit.objects.create(link=link, day=timezone.localdate(), visitor=f"v{n}")
    _paid(l1, employee, "25.00", "employee_bonus")
    original = _paid(l4, partner_user, "100.00", "qualified")
    _paid(l4, partner_user, "-100.00", "clawback", reverses=original)
    _paid(l6, other, "100.00", "qualified")
    item = RewardItem.objects.create(
        name="Mug", kind="swag", points_price=10, value=Decimal("20.00")
    )
    for _ in range(2):
        Redemption.objects.create(participant=employee, item=item, points=10, status="fulfilled")
    return {"employee": [l1, l2, l3], "acme": [l4, l5], "other": [l6]}


def _tables(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("insight:home"), params)
    assert response.status_code == 200
    return {t.key: t for t in response.context["tables"]}


def _counts(row):
    """Visits, submitted, qualified, won."""
    return [row[1], row[2], row[4], row[6]]


def _row(table, first):
    row = next(r for r in table.rows if str(r[0].value) == first)
    return [c.value for c in row]


def test_funnel_money_and_roi_equal_the_hand_count_for_a_reviewer(client, reviewer, history):
    tables = _tables(client, reviewer, period="all")
    total = _row(tables["funnel"], "All sources")
    # visits, submitted, visit rate, qualified, rate, won, rate
    assert total[1:8] == [
        4,
        6,
        Decimal("150.0"),
        4,
        Decimal("66.7"),
        3,
        Decimal("75.0"),
    ]
    link = _row(tables["funnel"], "Referral link")
    assert link[1:8] == [4, 2, Decimal("50.0"), 1, Decimal("50.0"), 1, Decimal("100.0")]
    form = _row(tables["funnel"], "Portal form")
    assert form[1:8] == [None, 4, None, 3, Decimal("75.0"), 2, Decimal("66.7")]
    eur = _row(tables["money"], "EUR")
    # revenue, won, rewards, commissions, clawbacks, cost, ROI, cost per won deal
    assert eur[1:] == [
        Decimal("3000.00"),
        2,
        Decimal("40.00"),
        Decimal("225.00"),
        Decimal("-100.00"),
        Decimal("165.00"),
        Decimal("1718.2"),
        Decimal("82.50"),
    ]
    assert all(isinstance(v, Decimal) for v in eur[1:2] + eur[3:])


def test_a_manager_sees_only_the_team_even_when_asking_for_more(client, manager, history, acme):
    other_team = TeamFactory()
    UserFactory(team=other_team)
    for params in ({}, {"organisation": acme.pk}, {"team": other_team.pk}):
        tables = _tables(client, manager, period="all", **params)
        total = _row(tables["funnel"], "All sources")
        assert _counts(total) == [0, 3, 2, 1]  # visits, submitted, qualified, won
        eur = _row(tables["money"], "EUR")
        assert eur[1:7] == [
            Decimal("1000.00"),
            1,
            Decimal("40.00"),
            Decimal("25.00"),
            Decimal("0.00"),
            Decimal("65.00"),
        ]
    response = client.get(reverse("insight:leads"), {"step": "submitted", "period": "all"})
    assert {lead.pk for lead in response.context["page"]} == {x.pk for x in history["employee"]}


def test_a_partner_admin_sees_only_the_organisation(
    client, partner_admin, other_partner_admin, history
):
    tables = _tables(client, partner_admin, period="all")
    assert _counts(_row(tables["funnel"], "All sources")) == [4, 2, 1, 1]
    eur = _row(tables["money"], "EUR")
    assert eur[1:7] == [
        Decimal("0.00"),
        0,
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("-100.00"),
        Decimal("0.00"),
    ]
    response = client.get(reverse("insight:leads"), {"step": "submitted", "period": "all"})
    assert {lead.pk for lead in response.context["page"]} == {x.pk for x in history["acme"]}
    tables = _tables(client, other_partner_admin, period="all")
    assert _counts(_row(tables["funnel"], "All sources")) == [0, 1, 1, 1]


@pytest.mark.parametrize("persona", ["employee", "partner_user", "finance"])
def test_other_roles_are_refused(client, request, persona, history):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("insight:home")).status_code == 403
    assert client.get(reverse("insight:leads"), {"step": "won"}).status_code == 403


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get(reverse("insight:home"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("key", ["funnel", "money"])
def test_each_csv_equals_its_table(client, reviewer, history, key):
    table = _tables(client, reviewer, period="all")[key]
    response = client.get(reverse("insight:home"), {"period": "all", "format": "csv", "table": key})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [str(h) for h in table.header]
    assert rows[1:] == table.csv_rows()
    assert len(rows) == len(table.rows) + 1


def test_each_figure_links_to_the_leads_it_counts(client, reviewer, history):
    tables = _tables(client, reviewer, period="all")
    for table in tables.values():
        for row in table.rows:
            for cell in row:
                if cell.href:
                    listed = client.get(cell.href).context["count"]
                    assert listed == cell.value or cell.kind == "money"
    revenue = next(c for c in tables["money"].rows[0] if c.kind == "money")
    listed = client.get(revenue.href).context["page"]
    assert {lead.pk for lead in listed} == {history["employee"][0].pk, history["other"][0].pk}


def test_the_period_counts_the_cohort_submitted_in_it(client, reviewer, history):
    from portal.audit.models import AuditEvent
    from portal.insight.services import insight_rebuild
    from portal.leads.models import Lead

    old = history["other"][0]
    moved = timezone.now() - timedelta(days=200)
    Lead.objects.filter(pk=old.pk).update(submitted_at=moved)
    AuditEvent.objects.filter(target_id=str(old.pk), action__startswith="lead.").update(
        created_at=moved
    )
    insight_rebuild()
    tables = _tables(client, reviewer, period="30d")
    assert _counts(_row(tables["funnel"], "All sources")) == [4, 5, 3, 2]
    assert _row(tables["money"], "EUR")[1] == Decimal("1000.00")
    assert date.today() >= moved.date()


def test_referrer_profiles_explain_themselves_and_filter_the_page(client, reviewer, history):
    tables = _tables(client, reviewer, period="all")
    profiles = {r[0].value: [c.value for c in r[1:]] for r in tables["profiles"].rows}
    other = history["other"][0].referrer.display_name
    assert profiles[other] == ["Maven", 1, 1, "1 lead, 100.0 % won, average deal €2,000.00"]
    employee = history["employee"][0].referrer.display_name
    assert profiles[employee][3].startswith("3 leads, 33.3 % won")
    assert profiles[employee][0] == ""
    maven = _tables(client, reviewer, period="all", profile="maven")
    assert _counts(_row(maven["funnel"], "All sources")) == [0, 1, 1, 1]
    assert _row(maven["money"], "EUR")[1] == Decimal("2000.00")
