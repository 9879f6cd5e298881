# SPDX-License-Identifier: AGPL-3.0-or-later
"""Each role's dashboard figures (issue 16, item 6) equal a hand count, in Decimal, and
stay within the viewer's scope: a manager never sees another team, a partner admin never
another organisation, a partner user only their own link."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.insight import dashboards
from portal.leads import services as leads
from portal.leads.models import Lead, LinkVisit
from portal.leads.referrals import referral_link_for
from portal.payouts.models import Commission, PayeeHold, PayoutBatch
from portal.rewards.models import LedgerEntry
from tests.factories import PartnerUserFactory, TeamFactory, UserFactory, submit_lead

TODAY = date(2026, 6, 10)


def _commission(lead, *, org=None, user=None, amount, status="pending", days_old=0, **extra):
    batch = None
    if status in ("in_batch", "paid"):
        batch = PayoutBatch.objects.create(
            currency="EUR",
            cutoff=timezone.localdate(),
            built_by=UserFactory(),
            status="paid" if status == "paid" else "approved",
        )
    return Commission.objects.create(
        lead=lead,
        program=lead.program,
        payee_org=org,
        payee_user=user,
        event=extra.pop("event", "qualified"),
        amount=Decimal(amount),
        currency="EUR",
        hold_until=extra.pop("hold_until", timezone.localdate()),
        status=status,
        batch=batch,
        created_at=timezone.now() - timedelta(days=days_old),
        **extra,
    )


# --- Manager -----------------------------------------------------------------------------


def test_manager_sees_each_member_this_month_and_never_another_team(
    manager, employee, reviewer, program
):
    colleague = UserFactory(team=employee.team, first_name="Zed")
    stranger = UserFactory(team=TeamFactory())
    mine = [submit_lead(employee, program) for _ in range(3)]
    submit_lead(stranger, program)
    for lead in mine[:2]:
        leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=mine[0], actor=reviewer, deal_value="100.00", currency="EUR")
    teams = dashboards.manager_figures(user=manager, today=timezone.localdate())
    assert [t.team_id for t in teams] == [employee.team_id]
    rows = {m.member.pk: m for m in teams[0].members}
    assert set(rows) == {employee.pk, colleague.pk}  # the stranger's team is not there
    me = rows[employee.pk]
    assert (me.referrals, me.qualified, me.won) == (3, 2, 1)
    assert me.conversion == Decimal("33.3")
    earned = sum(
        LedgerEntry.objects.filter(participant=employee, lead__isnull=False).values_list(
            "amount", flat=True
        )
    )
    assert me.points == earned and earned > 0
    assert me.weekly[-1] == 3 and sum(me.weekly) == 3 and len(me.weekly) == 12
    assert rows[colleague.pk].conversion is None  # no referrals: no rate, not 0 %


def test_the_team_page_shows_the_figures_and_a_trend_line(client, manager, employee, program):
    submit_lead(employee, program)
    client.force_login(manager)
    body = client.get(reverse("dashboards:team")).content.decode()
    assert f'id="team-figures-{employee.team_id}"' in body
    assert 'class="chart sparkline"' in body
    assert "Referrals per week, last 12 weeks: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1" in body


def test_someone_who_manages_no_team_gets_no_figures(employee):
    assert dashboards.manager_figures(user=employee, today=timezone.localdate()) == []


# --- Finance -----------------------------------------------------------------------------


@pytest.fixture
def books(program, employee, partner_user, other_partner_admin, finance):
    """Acme: pending 100.00 (5 days old), approved 50.00, in a batch 30.00; payroll: the
    employee's pending 25.00 (2 days old); the other organisation: a pending clawback of
    -80.00 with nothing to set it against, and a hold; a cancelled 999.00 and a paid
    10.00 that are not due. One batch built three days ago, waiting."""
    acme = partner_user.partner_organisation
    other = other_partner_admin.partner_organisation
    a, b = submit_lead(partner_user, program), submit_lead(employee, program)
    c = submit_lead(other_partner_admin, program)
    _commission(a, org=acme, amount="100.00", days_old=5)
    _commission(a, org=acme, amount="50.00", status="approved", event="won")
    original = _commission(
        c, org=other, amount="80.00", status="paid", days_old=40, event="qualified"
    )
    _commission(c, org=other, amount="-80.00", event="clawback", reverses=original)
    _commission(b, user=employee, amount="25.00", days_old=2, event="employee_bonus")
    d = submit_lead(partner_user, program)
    _commission(d, org=acme, amount="30.00", status="in_batch")
    _commission(d, org=acme, amount="999.00", status="cancelled", event="won")
    e = submit_lead(partner_user, program)
    _commission(e, org=acme, amount="10.00", status="paid")
    waiting = PayoutBatch.objects.create(
        currency="EUR",
        cutoff=timezone.localdate(),
        status="built",
        total=Decimal("30.00"),
        built_by=finance,
        created_at=timezone.now() - timedelta(days=3, hours=1),
    )
    PayeeHold.objects.create(organisation=other, reason="Missing VAT number", created_by=finance)
    return {"batch": waiting}


def test_finance_figures_equal_the_hand_count(finance, books, employee):
    f = dashboards.finance_figures(user=finance, now=timezone.now())
    assert f is not None
    due = {(r.payee_type, r.currency): r for r in f.due}
    partners = due[("partners", "EUR")]
    assert (partners.pending, partners.approved, partners.in_batch) == (
        Decimal("20.00"),  # 100.00 and the other organisation's -80.00 clawback
        Decimal("50.00"),
        Decimal("30.00"),
    )
    assert partners.total == Decimal("100.00")
    assert due[("payroll", "EUR")].total == Decimal("25.00")
    assert [(w.obj.amount, w.age_days) for w in f.waiting_commissions] == [
        (Decimal("100.00"), 5),
        (Decimal("25.00"), 2),
        (Decimal("-80.00"), 0),
    ]
    assert f.waiting_commission_count == 3
    assert [(w.obj.pk, w.age_days) for w in f.waiting_batches] == [(books["batch"].pk, 3)]
    assert [h.reason for h in f.holds] == ["Missing VAT number"]
    assert [(n.payee_type, n.balance) for n in f.negative] == [("partners", Decimal("-80.00"))]
    assert all(isinstance(r.total, Decimal) for r in f.due)


def test_only_finance_gets_the_finance_figures(manager, partner_admin, books):
    for user in (manager, partner_admin):
        assert dashboards.finance_figures(user=user, now=timezone.now()) is None


# --- Partner admin and partner -----------------------------------------------------------


def test_partner_admin_sees_earnings_next_payout_and_every_link_of_the_organisation_only(
    settings, partner_admin, partner_user, other_partner_admin, program, books
):
    settings.PAYOUT_DAY_OF_MONTH = 15
    settings.PAYOUT_MINIMUM = Decimal("50.00")
    link = referral_link_for(user=partner_user)
    for n in range(4):
        LinkVisit.objects.create(link=link, day=timezone.localdate(), visitor=f"v{n}")
    Lead.objects.filter(referrer=partner_user).update(referral_link=link)
    referral_link_for(user=other_partner_admin)  # another organisation's link: never listed
    today = timezone.localdate()
    f = dashboards.partner_figures(user=partner_admin, today=today)
    assert f is not None
    # Earned: 100 (five days ago: last month in a month's first five days) + 50 + 30 + 10
    # this month; the cancelled 999 left out.
    five_days_ago = timezone.localdate(timezone.now() - timedelta(days=5))
    hundred_this_month = (five_days_ago.year, five_days_ago.month) == (today.year, today.month)
    this_month = Decimal("190.00") if hundred_this_month else Decimal("90.00")
    assert f.earnings["EUR"][-1] == this_month and len(f.earnings["EUR"]) == 12
    assert sum(f.earnings["EUR"][:-1]) == Decimal("190.00") - this_month
    # Next payout: approved 50 + in a batch 30 + pending 100 whose hold ends today.
    (payout,) = f.next_payouts
    assert (payout.currency, payout.amount, payout.on_hold) == ("EUR", Decimal("180.00"), False)
    assert payout.expected_on == dashboards.next_payout_day(today=today)
    links = {(lf.owner.pk, lf.visits, lf.referrals) for lf in f.links}
    assert (partner_user.pk, 4, 3) in links
    assert {lf.owner.partner_organisation_id for lf in f.links} == {
        partner_admin.partner_organisation_id
    }
    mine = next(lf for lf in f.links if lf.owner == partner_user)
    assert mine.conversion == Decimal("75.0")


def test_partner_user_sees_only_their_own_link(partner_user, partner_admin):
    colleague = PartnerUserFactory(partner_organisation=partner_user.partner_organisation)
    referral_link_for(user=colleague)
    referral_link_for(user=partner_user)
    f = dashboards.partner_figures(user=partner_user, today=timezone.localdate())
    assert f is not None and [lf.owner for lf in f.links] == [partner_user]
    assert dashboards.partner_figures(user=partner_admin, today=timezone.localdate()) is not None


def test_a_hold_and_the_minimum_are_said_and_pending_after_payday_waits(
    settings, partner_admin, program, partner_user, finance
):
    settings.PAYOUT_DAY_OF_MONTH = 15
    settings.PAYOUT_MINIMUM = Decimal("50.00")
    lead = submit_lead(partner_user, program)
    org = partner_admin.partner_organisation
    _commission(lead, org=org, amount="40.00", status="approved")
    _commission(lead, org=org, amount="500.00", hold_until=date(2026, 6, 16), event="won")
    (payout,) = dashboards.partner_figures(user=partner_admin, today=TODAY).next_payouts
    assert payout.expected_on == date(2026, 6, 15)
    assert (payout.amount, payout.below_minimum) == (Decimal("40.00"), True)
    (later,) = dashboards.partner_figures(user=partner_admin, today=date(2026, 6, 16)).next_payouts
    assert later.expected_on == date(2026, 7, 15) and later.amount == Decimal("540.00")
    PayeeHold.objects.create(organisation=org, reason="Paperwork", created_by=finance)
    (held,) = dashboards.partner_figures(user=partner_admin, today=TODAY).next_payouts
    assert held.on_hold


def test_next_payout_day_one_day_either_side(settings):
    settings.PAYOUT_DAY_OF_MONTH = 15
    assert dashboards.next_payout_day(today=date(2026, 6, 14)) == date(2026, 6, 15)
    assert dashboards.next_payout_day(today=date(2026, 6, 15)) == date(2026, 6, 15)
    assert dashboards.next_payout_day(today=date(2026, 6, 16)) == date(2026, 7, 15)
    assert dashboards.next_payout_day(today=date(2026, 12, 16)) == date(2027, 1, 15)


# --- Employee ----------------------------------------------------------------------------


def test_employee_sees_their_own_funnel_and_points(client, employee, reviewer, program):
    other = UserFactory(team=employee.team)
    mine = [submit_lead(employee, program) for _ in range(4)]
    submit_lead(other, program)
    for lead in mine[:2]:
        leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=mine[0], actor=reviewer, deal_value="10.00", currency="EUR")
    f = dashboards.employee_figures(user=employee, today=timezone.localdate())
    assert (f.submitted, f.qualified, f.won) == (4, 2, 1)
    assert (f.qualify_rate, f.win_rate) == (Decimal("50.0"), Decimal("50.0"))
    earned = sum(
        LedgerEntry.objects.filter(participant=employee, lead__isnull=False).values_list(
            "amount", flat=True
        )
    )
    assert f.points[-1] == earned and sum(f.points[:-1]) == 0
    client.force_login(employee)
    body = client.get(reverse("dashboards:employee")).content.decode()
    assert body.count('class="chart ') == 2 and 'id="my-figures"' in body
