# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portal.leads import services as leads
from portal.payouts.models import Commission, CommissionPlan, PartnerPlan
from portal.payouts.services import cap_to_month, commissions_approve_due, plan_amount
from portal.rewards.models import Tier
from tests.factories import submit_lead


def _won(referrer, reviewer, program, value="12345.67", currency="EUR"):
    lead = submit_lead(referrer, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value=value, currency=currency)
    lead.refresh_from_db()
    return lead


# --- Arithmetic -----------------------------------------------------------------------


def _plan(**kw):
    return CommissionPlan(name="x", currency="EUR", **kw)


def test_flat_plan_pays_the_amount():
    assert plan_amount(plan=_plan(kind="flat", flat_amount=Decimal("99.99"))) == Decimal("99.99")


def test_percentage_rounds_half_up_to_the_cent():
    plan = _plan(kind="percent", percent=Decimal("7.50"))
    assert plan_amount(plan=plan, deal_value=Decimal("100.07")) == Decimal("7.51")  # 7.50525
    assert plan_amount(plan=plan, deal_value=Decimal("100.06")) == Decimal("7.50")  # 7.5045


def test_percent_by_tier_uses_the_multiplier():
    plan = _plan(kind="tier_percent", percent=Decimal("10"))
    assert plan_amount(
        plan=plan, deal_value=Decimal("1000"), multiplier=Decimal("1.25")
    ) == Decimal("125.00")


def test_cap_per_lead_and_per_month():
    plan = _plan(kind="percent", percent=Decimal("10"), cap_per_lead=Decimal("500"))
    assert plan_amount(plan=plan, deal_value=Decimal("100000")) == Decimal("500.00")
    assert cap_to_month(
        amount=Decimal("500.00"), cap=Decimal("1200"), already=Decimal("900")
    ) == Decimal("300.00")
    assert cap_to_month(
        amount=Decimal("500.00"), cap=Decimal("1200"), already=Decimal("1500")
    ) == Decimal("0.00")
    assert cap_to_month(amount=Decimal("500.00"), cap=None, already=Decimal("99999")) == Decimal(
        "500.00"
    )


@given(
    value=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
    percent=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
    multiplier=st.decimals(min_value=Decimal("0"), max_value=Decimal("3"), places=2),
)
def test_amounts_are_whole_cents_and_never_exceed_the_deal(value, percent, multiplier):
    plan = _plan(kind="tier_percent", percent=percent)
    amount = plan_amount(plan=plan, deal_value=value, multiplier=min(multiplier, Decimal("1")))
    assert amount == amount.quantize(Decimal("0.01"))
    assert Decimal("0") <= amount <= value


# --- Creation by the lead services ---------------------------------------------------------


def test_flat_plan_pays_on_qualified_once(partner_user, reviewer, program, flat_plan):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    commission = Commission.objects.get()
    assert (commission.amount, commission.payee_org, commission.status, commission.event) == (
        Decimal("100.00"),
        partner_user.partner_organisation,
        "pending",
        "qualified",
    )
    assert commission.hold_until == timezone.localdate() + timedelta(days=30)
    from portal.payouts.services import lead_commissions_apply

    assert lead_commissions_apply(lead=lead, event="qualified") == []  # idempotent
    assert Commission.objects.count() == 1


def test_percent_plan_pays_on_won(partner_user, reviewer, program, percent_plan):
    _won(partner_user, reviewer, program, value="12345.67")
    assert Commission.objects.get().amount == Decimal("1234.57")


def test_partner_plan_overrides_the_program_default(partner_user, reviewer, program, flat_plan):
    own = CommissionPlan.objects.create(name="VIP", kind="flat", flat_amount=Decimal("250.00"))
    PartnerPlan.objects.create(
        organisation=partner_user.partner_organisation, program=program, plan=own
    )
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    assert Commission.objects.get().amount == Decimal("250.00")


def test_tier_multiplier_applies(partner_user, reviewer, program):
    plan = CommissionPlan.objects.create(name="Tiered", kind="tier_percent", percent=Decimal("10"))
    from portal.payouts.models import ProgramCommissionSettings

    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    Tier.objects.create(
        program=program, name="Gold", threshold=0, commission_multiplier=Decimal("1.50")
    )
    _won(partner_user, reviewer, program, value="1000")
    assert Commission.objects.get().amount == Decimal("150.00")


def test_monthly_cap_limits_the_second_commission(partner_user, reviewer, program):
    plan = CommissionPlan.objects.create(
        name="Capped", kind="flat", flat_amount=Decimal("100"), cap_per_month=Decimal("150")
    )
    from portal.payouts.models import ProgramCommissionSettings

    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    for _ in range(3):
        leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    assert sorted(Commission.objects.values_list("amount", flat=True)) == [
        Decimal("50.00"),
        Decimal("100.00"),
    ]


def test_employee_gets_the_cash_bonus_on_won(employee, reviewer, program, percent_plan):
    _won(employee, reviewer, program)
    bonus = Commission.objects.get()
    assert (bonus.payee_user, bonus.event, bonus.amount) == (
        employee,
        "employee_bonus",
        Decimal("250.00"),
    )


# --- Hold period ---------------------------------------------------------------------


def test_beat_task_approves_after_the_hold_and_skips_holds(
    partner_user, reviewer, finance, program, flat_plan
):
    from portal.payouts.services import commission_set_hold

    a, b = (submit_lead(partner_user, program) for _ in range(2))
    for lead in (a, b):
        leads.lead_qualify(lead=lead, actor=reviewer)
    held = Commission.objects.get(lead=b)
    commission_set_hold(actor=finance, commission=held, hold=True, reason="Invoice missing")
    assert commissions_approve_due() == 0  # still in the hold period
    later = timezone.localdate() + timedelta(days=31)
    assert commissions_approve_due(today=later) == 1
    assert Commission.objects.get(lead=a).status == "approved"
    held.refresh_from_db()
    assert held.status == "pending" and held.on_hold
    assert commissions_approve_due(today=later) == 0  # idempotent


def test_hold_needs_a_reason_and_finance(partner_user, reviewer, finance, program, flat_plan):
    from django.core.exceptions import PermissionDenied, ValidationError

    from portal.payouts.services import commission_approve, commission_set_hold

    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    commission = Commission.objects.get()
    with pytest.raises(ValidationError):
        commission_set_hold(actor=finance, commission=commission, hold=True, reason=" ")
    with pytest.raises(PermissionDenied):
        commission_approve(actor=reviewer, commission=commission)
    assert commission_approve(actor=finance, commission=commission).status == "approved"
