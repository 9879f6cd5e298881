# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who reads which commissions and batches, which plan a lead earns under, and a partner's
monthly statement to the cent, each against the case that would show the wrong figure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.accounts.roles import Role
from portal.payouts.models import (
    Commission,
    CommissionPlan,
    PartnerPlan,
    PayoutBatch,
    PayoutLine,
    ProgramCommissionSettings,
)
from portal.payouts.selectors import (
    batches_visible_to,
    commission_summary,
    commissions_visible_to,
    mask,
    payee_field,
    plan_for,
    statement_for,
    tier_multiplier,
)
from portal.rewards.models import Tier, TierStatus
from tests.factories import (
    PartnerOrganisationFactory,
    PartnerUserFactory,
    ProgramFactory,
    UserFactory,
    give_role,
    submit_lead,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


def _c(payee, amount, *, at=None, status="approved", currency="EUR", **kw):
    who = {"payee_org": payee} if hasattr(payee, "email_domain") else {"payee_user": payee}
    at = at or timezone.now()
    return Commission.objects.create(
        event=kw.pop("event", "reward_bonus"),
        source=kw.pop("source", f"read:{Commission.objects.count()}"),
        amount=Decimal(amount),
        currency=currency,
        status=status,
        hold_until=at.date(),
        created_at=at,
        **who,
        **kw,
    )


# --- Who sees what ------------------------------------------------------------------------------


def test_each_role_sees_only_its_commissions(
    finance, partner_admin, partner_user, employee, reviewer, other_partner_admin
):
    ours = _c(partner_admin.partner_organisation, "1.00")
    theirs = _c(other_partner_admin.partner_organisation, "2.00")
    bonus = _c(employee, "3.00")
    _c(reviewer, "4.00")
    assert set(commissions_visible_to(user=finance)) == set(Commission.objects.all())
    assert list(commissions_visible_to(user=partner_admin)) == [ours]
    assert list(commissions_visible_to(user=other_partner_admin)) == [theirs]
    assert list(commissions_visible_to(user=employee)) == [bonus]
    assert list(commissions_visible_to(user=partner_user)) == []
    assert list(commissions_visible_to(user=AnonymousUser())) == []


def test_only_finance_sees_batches(finance, reviewer, partner_admin, employee):
    batch = PayoutBatch.objects.create(
        kind="partners", currency="EUR", cutoff=timezone.localdate(), built_by=finance
    )
    assert list(batches_visible_to(user=finance)) == [batch]
    for user in (reviewer, partner_admin, employee, AnonymousUser()):
        assert list(batches_visible_to(user=user)) == []


def test_finances_lists_read_each_row_with_its_lead_payee_and_people_in_one_query(
    finance, acme, partner_user, employee, program, django_assert_num_queries
):
    approver = give_role(UserFactory(), Role.FINANCE)
    batch = PayoutBatch.objects.create(
        kind="partners",
        currency="EUR",
        cutoff=timezone.localdate(),
        built_by=finance,
        approved_by=approver,
        paid_by=approver,
    )
    _c(acme, "1.00", status="in_batch", lead=submit_lead(partner_user, program), batch=batch)
    _c(employee, "2.00", lead=submit_lead(employee, program))
    commissions_visible_to(user=finance)  # the viewer's roles, read once per request
    with django_assert_num_queries(1):
        rows = [
            (c.lead.pk, getattr(c.payee_org, "name", None), c.payee_user, c.batch)
            for c in commissions_visible_to(user=finance)
        ]
    assert len(rows) == 2
    with django_assert_num_queries(1):
        people = [
            (b.built_by.email, b.approved_by.email, b.paid_by.email)
            for b in batches_visible_to(user=finance)
        ]
    assert people == [(finance.email, approver.email, approver.email)]


# --- Plans and tiers ----------------------------------------------------------------------------


def test_the_plan_is_the_partners_own_for_that_program_else_the_default(
    partner_user, employee, program
):
    default = CommissionPlan.objects.create(name="Default", kind="flat", flat_amount=Decimal("1"))
    own = CommissionPlan.objects.create(name="Own", kind="flat", flat_amount=Decimal("2"))
    elsewhere = CommissionPlan.objects.create(name="Else", kind="flat", flat_amount=Decimal("3"))
    lead = submit_lead(partner_user, program)
    assert plan_for(lead=lead) is None  # no plan at all
    ProgramCommissionSettings.objects.create(program=program, partner_plan=default)
    other_program = ProgramFactory()
    PartnerPlan.objects.create(
        organisation=partner_user.partner_organisation, program=other_program, plan=elsewhere
    )
    PartnerPlan.objects.create(
        organisation=PartnerOrganisationFactory(), program=program, plan=elsewhere
    )
    assert plan_for(lead=lead) == default
    PartnerPlan.objects.create(
        organisation=partner_user.partner_organisation, program=program, plan=own
    )
    assert plan_for(lead=lead) == own
    assert plan_for(lead=submit_lead(employee, program)) is None  # employees earn no plan


def test_the_tier_multiplier_is_the_referrers_in_that_program(partner_user, program):
    lead = submit_lead(partner_user, program)
    assert tier_multiplier(lead=lead) == Decimal("1")
    other_program = ProgramFactory()
    silver = Tier.objects.create(
        program=other_program, name="Silver", threshold=0, commission_multiplier=Decimal("1.10")
    )
    TierStatus.objects.update_or_create(
        participant=partner_user, program=other_program, defaults={"tier": silver}
    )
    assert tier_multiplier(lead=lead) == Decimal("1")
    gold = Tier.objects.create(
        program=program, name="Gold", threshold=0, commission_multiplier=Decimal("1.25")
    )
    TierStatus.objects.update_or_create(
        participant=partner_user, program=program, defaults={"tier": gold}
    )
    assert tier_multiplier(lead=lead) == Decimal("1.25")
    TierStatus.objects.filter(participant=partner_user, program=program).update(tier=None)
    assert tier_multiplier(lead=lead) == Decimal("1")


def test_the_multiplier_is_never_another_referrers_nor_another_programs(
    partner_user, program, django_assert_num_queries
):
    """Rows that come first in the table belong to someone else, or to another program."""
    other_program = ProgramFactory()
    platinum = Tier.objects.create(
        program=program, name="Platinum", threshold=10_000, commission_multiplier=Decimal("2")
    )
    silver = Tier.objects.create(
        program=other_program, name="Silver", threshold=0, commission_multiplier=Decimal("1.10")
    )
    TierStatus.objects.create(participant=PartnerUserFactory(), program=program, tier=platinum)
    TierStatus.objects.create(participant=partner_user, program=other_program, tier=silver)
    lead = submit_lead(partner_user, program)
    assert tier_multiplier(lead=lead) == Decimal("1")
    TierStatus.objects.update_or_create(
        participant=partner_user, program=program, defaults={"tier": platinum}
    )
    with django_assert_num_queries(1):  # the status comes with its tier
        assert tier_multiplier(lead=lead) == Decimal("2")


# --- Statements ---------------------------------------------------------------------------------


def _paid_line(org, total, paid_at, *, currency="EUR", status="paid", built_by):
    batch = PayoutBatch.objects.create(
        kind="partners",
        currency=currency,
        cutoff=paid_at.date(),
        status=status,
        paid_at=paid_at,
        built_by=built_by,
    )
    return PayoutLine.objects.create(
        batch=batch, payee_org=org, total=Decimal(total), commission_count=1
    )


def test_a_statement_balances_to_the_cent_at_the_month_edges(acme, finance, program):
    start = datetime(2026, 4, 1, tzinfo=HELSINKI)
    end = datetime(2026, 5, 1, tzinfo=HELSINKI)
    # Before the month: earned 100.10, 30.00 paid.
    _c(acme, "100.10", at=start - timedelta(microseconds=1))
    _paid_line(acme, "30.00", start - timedelta(microseconds=1), built_by=finance)
    # In the month, from its first instant to its last.
    _c(acme, "20.20", at=start)
    _c(acme, "0.30", at=end - timedelta(microseconds=1))
    original = _c(acme, "5.00", at=start, event="won", plan_name="F")
    _c(acme, "-5.00", at=start + timedelta(days=1), event="clawback", reverses=original)
    _c(acme, "999.00", at=start, status="cancelled")  # listed, never counted
    _paid_line(acme, "40.40", start, built_by=finance)
    # Not this statement's: next month, another currency, another payee, an unpaid batch.
    _c(acme, "7.00", at=end)
    _paid_line(acme, "8.00", end, built_by=finance)
    _c(acme, "9.00", at=start, currency="SEK")
    _paid_line(acme, "6.00", start, currency="SEK", built_by=finance)
    other = PartnerOrganisationFactory()
    _c(other, "11.00", at=start)
    _paid_line(other, "13.00", start, built_by=finance)
    _paid_line(acme, "12.00", start, status="approved", built_by=finance)

    s = statement_for(organisation=acme, month=date(2026, 4, 1))

    assert (s.month, s.currency) == (date(2026, 4, 1), "EUR")
    assert (s.opening, s.earned, s.clawed_back, s.paid, s.closing) == (
        Decimal("70.10"),
        Decimal("25.50"),
        Decimal("-5.00"),
        Decimal("40.40"),
        Decimal("50.20"),
    )
    assert [(c.amount, c.status) for c in s.commissions] == [
        (Decimal("20.20"), "approved"),
        (Decimal("5.00"), "approved"),
        (Decimal("999.00"), "cancelled"),
        (Decimal("-5.00"), "approved"),
        (Decimal("0.30"), "approved"),
    ]
    sek = statement_for(organisation=acme, month=date(2026, 4, 1), currency="SEK")
    assert (sek.earned, sek.paid, sek.closing) == (
        Decimal("9.00"),
        Decimal("6.00"),
        Decimal("3.00"),
    )


def test_a_statements_commissions_come_with_their_leads_in_the_order_they_were_made(
    acme, partner_user, program, django_assert_num_queries
):
    at = timezone.now()
    first = _c(acme, "3.00", at=at, lead=submit_lead(partner_user, program))
    second = _c(acme, "4.00", at=at, lead=submit_lead(partner_user, program))  # same instant
    s = statement_for(organisation=acme, month=timezone.localdate(at).replace(day=1))
    with django_assert_num_queries(0):
        assert [(c.pk, c.lead.pk) for c in s.commissions] == [
            (first.pk, first.lead_id),
            (second.pk, second.lead_id),
        ]


def test_a_statement_of_a_quiet_month_is_all_zero(acme):
    s = statement_for(organisation=acme, month=date(2026, 2, 1))
    assert (s.opening, s.earned, s.clawed_back, s.paid, s.closing, s.commissions) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        [],
    )


# --- Small reads ---------------------------------------------------------------------------------


def test_mask_shows_only_the_last_four():
    assert mask(value="FI21 1234 5600 0007 85") == "••••••••••••••0785"
    assert mask(value="1234") == "1234"
    assert mask(value="") == ""
    assert mask(value=None) == ""


def test_the_summary_totals_each_status_and_currency_to_the_cent(acme, other_partner_admin):
    _c(acme, "0.10", status="pending")
    _c(acme, "0.20", status="pending")
    _c(acme, "1.00", currency="SEK", status="pending")
    _c(acme, "5.00")
    _c(other_partner_admin.partner_organisation, "50.00")
    assert commission_summary(organisation_id=acme.pk) == {
        ("pending", "EUR"): Decimal("0.30"),
        ("pending", "SEK"): Decimal("1.00"),
        ("approved", "EUR"): Decimal("5.00"),
    }


def test_each_batch_kind_names_its_payee_column():
    assert (payee_field(kind="partners"), payee_field(kind="payroll")) == (
        "payee_org",
        "payee_user",
    )
