# SPDX-License-Identifier: AGPL-3.0-or-later
"""Taking money back, by the records it leaves: a cancelled commission or a clawback with
its amount, basis, dates, audit record and event, once per original."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.events.models import Event
from portal.payouts.models import Commission, PayoutBatch
from portal.payouts.services import (
    bonus_commission_add,
    lead_commissions_apply,
    lead_commissions_reverse,
    source_commission_reverse,
)
from tests.factories import submit_lead

HELSINKI = ZoneInfo("Europe/Helsinki")
AT = datetime(2026, 7, 1, 0, 30, tzinfo=HELSINKI)  # 30 June in UTC


def _in_paid_batch(commission, finance):
    batch = PayoutBatch.objects.create(
        kind="partners",
        currency="EUR",
        cutoff=timezone.localdate(),
        status="paid",
        built_by=finance,
    )
    Commission.objects.filter(pk=commission.pk).update(status="paid", batch=batch)
    commission.refresh_from_db()
    return commission


def test_a_rejected_leads_paid_commission_is_clawed_back_with_its_records(
    partner_user, reviewer, finance, program, flat_plan
):
    lead = submit_lead(partner_user, program)
    [original] = lead_commissions_apply(lead=lead, event="qualified")
    _in_paid_batch(original, finance)
    [claw] = lead_commissions_reverse(lead=lead, actor=reviewer, reason="Fake", at=AT)
    claw.refresh_from_db()
    assert (
        claw.event,
        claw.amount,
        claw.currency,
        claw.status,
        claw.reverses,
        claw.payee_org,
        claw.plan_name,
        claw.program,
        claw.lead,
        claw.basis,
        claw.hold_until,
        claw.created_at,
        claw.approved_at,
    ) == (
        "clawback",
        Decimal("-100.00"),
        "EUR",
        "approved",
        original,
        partner_user.partner_organisation,
        "Flat 100",
        program,
        lead,
        f"Clawback of commission #{original.pk}: Fake",
        date(2026, 7, 1),
        AT,
        AT,
    )
    audit = AuditEvent.objects.get(action="commission.clawback")
    assert (audit.actor, audit.target_id, audit.to_state, audit.note, audit.data) == (
        reviewer,
        str(claw.pk),
        "approved",
        "Fake",
        {"reverses": original.pk, "amount": "-100.00"},
    )
    event = Event.objects.get(name="commission.reversed")
    assert event.payload == {
        "commission": original.pk,
        "lead": lead.pk,
        "payee_org": partner_user.partner_organisation_id,
        "amount": "100.00",
        "currency": "EUR",
    }
    assert lead_commissions_reverse(lead=lead, actor=reviewer, reason="Again", at=AT) == []
    assert Commission.objects.filter(event="clawback").count() == 1


def test_an_unbatched_commission_is_cancelled_with_its_records(
    partner_user, reviewer, program, flat_plan
):
    lead = submit_lead(partner_user, program)
    [original] = lead_commissions_apply(lead=lead, event="qualified")
    Commission.objects.filter(pk=original.pk).update(status="approved")
    [cancelled] = lead_commissions_reverse(lead=lead, actor=None, reason="Withdrawn")
    original.refresh_from_db()
    assert (cancelled.pk, original.status, original.amount) == (
        original.pk,
        "cancelled",
        Decimal("100.00"),
    )
    audit = AuditEvent.objects.get(action="commission.cancelled")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note, audit.data) == (
        None,
        "approved",
        "cancelled",
        "Withdrawn",
        {"amount": "100.00", "lead": lead.pk},
    )
    assert Event.objects.get(name="commission.reversed").payload["commission"] == original.pk
    assert lead_commissions_reverse(lead=lead, actor=None, reason="Again") == []
    assert not Commission.objects.filter(event="clawback").exists()


def test_a_reversed_deal_claws_back_even_an_unpaid_commission(
    partner_user, reviewer, program, percent_plan
):
    lead = submit_lead(partner_user, program)
    [original] = lead_commissions_apply(lead=lead, event="won", deal_value=Decimal("40"))
    [claw] = lead_commissions_reverse(
        lead=lead, actor=reviewer, reason="Refund", at=AT, cancel_unbatched=False
    )
    original.refresh_from_db()
    assert (original.status, claw.amount, claw.reverses) == ("pending", Decimal("-4.00"), original)
    assert (
        lead_commissions_reverse(lead=lead, actor=reviewer, reason="Refund", cancel_unbatched=False)
        == []
    )


def test_money_for_a_source_is_cancelled_unbatched_and_clawed_back_once_paid(employee, finance):
    def owed(source):
        return bonus_commission_add(
            source=source,
            event="recruitment",
            amount=Decimal("30"),
            currency="EUR",
            basis="Recruited",
            payee_user_id=employee.pk,
        )

    unpaid = owed("recruit:1")
    assert source_commission_reverse(source="recruit:1", actor=finance, reason="Gone") == unpaid
    unpaid.refresh_from_db()
    assert unpaid.status == "cancelled"
    audit = AuditEvent.objects.get(action="commission.cancelled")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note, audit.data) == (
        finance,
        "approved",
        "cancelled",
        "Gone",
        {"amount": "30.00", "source": "recruit:1"},
    )
    assert source_commission_reverse(source="recruit:1", actor=finance, reason="x") is None

    paid = _in_paid_batch(owed("recruit:2"), finance)
    claw = source_commission_reverse(source="recruit:2", actor=None, reason="Refunded", at=AT)
    claw.refresh_from_db()
    assert (
        claw.event,
        claw.amount,
        claw.status,
        claw.reverses,
        claw.payee_user,
        claw.basis,
        claw.hold_until,
        claw.created_at,
        claw.approved_at,
    ) == (
        "clawback",
        Decimal("-30.00"),
        "approved",
        paid,
        employee,
        f"Clawback of commission #{paid.pk}: Refunded",
        date(2026, 7, 1),
        AT,
        AT,
    )
    audit = AuditEvent.objects.get(action="commission.clawback")
    assert (audit.actor, audit.to_state, audit.note, audit.data) == (
        None,
        "approved",
        "Refunded",
        {"reverses": paid.pk, "amount": "-30.00"},
    )
    assert source_commission_reverse(source="recruit:2", actor=None, reason="x") is None
    assert source_commission_reverse(source="recruit:404", actor=None, reason="x") is None
    assert Commission.objects.filter(event="clawback").count() == 1
