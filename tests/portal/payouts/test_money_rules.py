# SPDX-License-Identifier: AGPL-3.0-or-later
"""The money rules of the README ("Money rules"), each with the case that breaks it:
a lead that loses its right to be paid takes its commission and its points back, and
nothing pays twice for one prospect."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from portal.audit.models import AuditEvent
from portal.leads import services as leads
from portal.leads.models import Lead
from portal.payouts.batches import (
    payout_batch_approve,
    payout_batch_build,
    payout_batch_mark_paid,
    payout_batch_start,
)
from portal.payouts.models import Commission
from portal.rewards.models import LedgerEntry
from portal.rewards.selectors import balance_of
from tests.factories import submit_lead

from .conftest import approve_all


def _points_of(lead) -> int:
    return LedgerEntry.objects.filter(lead=lead).aggregate(s=Sum("amount"))["s"] or 0


def _net_money(lead) -> Decimal:
    return Commission.objects.filter(lead=lead).exclude(status="cancelled").aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0.00")


def _paid_batch(finance, second_finance):
    from django.utils import timezone

    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    payout_batch_approve(actor=second_finance, batch=batch)
    return payout_batch_mark_paid(actor=second_finance, batch=batch)


def test_qualified_then_rejected_on_a_flat_plan_cancels_the_commission_and_points(
    partner_user, reviewer, program, flat_plan
):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    commission = Commission.objects.get(lead=lead)
    assert commission.amount == Decimal("100.00") and _points_of(lead) == 60

    leads.lead_reject(lead=lead, actor=reviewer, reason="not_a_fit", note="Wrong region")

    commission.refresh_from_db()
    assert commission.status == "cancelled"  # never in a batch: cancelled, not clawed back
    assert not Commission.objects.filter(event="clawback").exists()
    assert _net_money(lead) == Decimal("0.00")
    assert _points_of(lead) == 0 and balance_of(participant=partner_user) == 0
    audit = AuditEvent.objects.get(action="commission.cancelled")
    assert (audit.from_state, audit.to_state, audit.actor) == ("pending", "cancelled", reviewer)


def test_a_cancelled_commission_never_reaches_a_batch(
    partner_user, reviewer, finance, program, flat_plan
):
    keep, drop = submit_lead(partner_user, program), submit_lead(partner_user, program)
    leads.lead_qualify(lead=keep, actor=reviewer)
    leads.lead_qualify(lead=drop, actor=reviewer)
    approve_all()
    leads.lead_reject(lead=drop, actor=reviewer, reason="invalid")
    from django.utils import timezone

    batch = payout_batch_build(
        batch_id=payout_batch_start(
            actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
        ).pk
    )
    assert (batch.total, batch.commission_count) == (Decimal("100.00"), 1)
    assert Commission.objects.get(lead=drop).batch is None


def test_rejected_after_its_commission_was_batched_is_clawed_back(
    partner_user, reviewer, finance, second_finance, program, flat_plan
):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    approve_all()
    _paid_batch(finance, second_finance)
    original = Commission.objects.get(lead=lead)
    assert original.status == "paid"

    leads.lead_reject(lead=lead, actor=reviewer, reason="invalid")

    original.refresh_from_db()
    claw = Commission.objects.get(event="clawback")
    assert original.status == "paid"  # nothing paid is edited away
    assert (claw.amount, claw.status, claw.reverses) == (Decimal("-100.00"), "approved", original)
    assert _net_money(lead) == Decimal("0.00") and _points_of(lead) == 0


def test_won_then_deal_reversed_with_the_commission_already_paid(
    partner_user, reviewer, finance, second_finance, program, percent_plan
):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="5000.00", currency="EUR")
    approve_all()
    _paid_batch(finance, second_finance)
    assert Commission.objects.get(lead=lead).status == "paid"
    assert _points_of(lead) == 260

    leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refunded")

    claw = Commission.objects.get(event="clawback")
    assert claw.amount == Decimal("-500.00") and claw.status == "approved"
    assert _net_money(lead) == Decimal("0.00")
    assert _points_of(lead) == 60  # the win's points are taken back, the rest stay
    # The clawback nets against the payee's next batch.
    other = submit_lead(partner_user, program)
    leads.lead_qualify(lead=other, actor=reviewer)
    leads.lead_mark_won(lead=other, actor=reviewer, deal_value="8000.00", currency="EUR")
    approve_all()
    second = _paid_batch(finance, second_finance)
    assert second.total == Decimal("300.00")  # 800 earned − 500 clawed back


def test_withdrawn_lead_takes_back_its_submission_points(partner_user, program, flat_plan):
    lead = submit_lead(partner_user, program)
    assert _points_of(lead) == 10
    leads.lead_withdraw(lead=lead, actor=partner_user)
    assert _points_of(lead) == 0 and not Commission.objects.exists()


def test_second_referral_of_a_prospect_cannot_be_qualified_first(
    partner_user, employee, reviewer, program, flat_plan
):
    first = submit_lead(employee, program, email="dana@prospect.example")
    second = submit_lead(partner_user, program, email="dana@prospect.example")
    assert second.conflict_with_id == first.pk  # flagged, not rejected (the default rule)

    with pytest.raises(leads.IllegalTransition, match=f"#{first.pk}"):
        leads.lead_qualify(lead=second, actor=reviewer)

    second.refresh_from_db()
    assert second.status == "submitted"
    assert not Commission.objects.exists() and _points_of(second) == 10
    # The earliest wins by default: the first may be qualified.
    leads.lead_qualify(lead=first, actor=reviewer)
    assert Lead.objects.get(pk=first.pk).status == "qualified"


def test_a_reviewer_resolves_the_conflict_and_only_one_referral_pays(
    partner_user, employee, reviewer, program, flat_plan
):
    first = submit_lead(employee, program, email="eve@prospect.example")
    second = submit_lead(partner_user, program, email="eve@prospect.example")
    leads.lead_qualify(lead=first, actor=reviewer)
    # The reviewer decides the partner's referral is the one that counts.
    leads.lead_conflict_resolve(actor=reviewer, keep=second, reject=first)
    leads.lead_qualify(lead=Lead.objects.get(pk=second.pk), actor=reviewer)

    assert Lead.objects.get(pk=first.pk).status == "rejected"
    assert _points_of(first) == 0
    paying = Commission.objects.exclude(status="cancelled")
    assert [c.lead_id for c in paying] == [second.pk]
    assert sum(c.amount for c in paying) == Decimal("100.00")


def test_the_earlier_lead_no_longer_contending_frees_the_later_one(
    partner_user, employee, reviewer, program, flat_plan
):
    first = submit_lead(employee, program, email="fay@prospect.example")
    second = submit_lead(partner_user, program, email="fay@prospect.example")
    leads.lead_reject(lead=first, actor=reviewer, reason="invalid")
    leads.lead_qualify(lead=second, actor=reviewer)
    assert Commission.objects.get().lead_id == second.pk
