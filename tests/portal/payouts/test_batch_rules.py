# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payout batches by their rules, in the figures finance reads: what a batch may be asked
for, which commissions it takes (cut-off, currency, holds, minimum, kind), its lines and
totals, and the records each step leaves."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.events.models import Event
from portal.notifications.models import Notification
from portal.payouts.batches import (
    payee_hold_release,
    payee_hold_set,
    payout_batch_approve,
    payout_batch_build,
    payout_batch_mark_paid,
    payout_batch_start,
)
from portal.payouts.models import Commission, PayeeHold, PayoutBatch
from tests.factories import PartnerOrganisationFactory, UserFactory


def _owed(payee, amount, *, program=None, currency="EUR", approved_at=None, **kw):
    """An approved commission, as the hold period or finance leaves it."""
    who = {"payee_org": payee} if hasattr(payee, "email_domain") else {"payee_user": payee}
    return Commission.objects.create(
        event=kw.pop("event", "reward_bonus"),
        source=kw.pop("source", f"test:{Commission.objects.count()}:{amount}"),
        amount=Decimal(amount),
        currency=currency,
        hold_until=timezone.localdate(),
        status="approved",
        approved_at=approved_at or timezone.now() - timedelta(seconds=1),
        **who,
        **kw,
    )


def _start(finance, kind="partners", currency="EUR", cutoff=None):
    return payout_batch_start(
        actor=finance, kind=kind, currency=currency, cutoff=cutoff or timezone.localdate()
    )


# --- Asking for a batch ------------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["EU", "EURO", "EU1", "€UR", ""])
def test_a_batch_needs_a_three_letter_currency(finance, currency):
    with pytest.raises(ValidationError) as refused:
        _start(finance, currency=currency)
    assert refused.value.message_dict == {"currency": ["Enter a three-letter currency code."]}
    assert not PayoutBatch.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="batch.").exists()


def test_a_batch_needs_a_known_kind_and_a_past_cutoff(finance):
    with pytest.raises(ValidationError) as refused:
        _start(finance, kind="weekly")
    assert refused.value.message_dict == {"kind": ["Choose partners or payroll."]}
    with pytest.raises(ValidationError) as refused:
        _start(finance, cutoff=timezone.localdate() + timedelta(days=1))
    assert refused.value.message_dict == {"cutoff": ["The cut-off cannot be in the future."]}
    assert not PayoutBatch.objects.exists()


def test_only_finance_starts_a_batch(reviewer):
    with pytest.raises(PermissionDenied, match="^Only finance handles commissions and payouts.$"):
        _start(reviewer)
    assert not PayoutBatch.objects.exists()


def test_a_started_batch_is_recorded_and_built_at_once(finance, acme):
    _owed(acme, "60.00")
    cutoff = timezone.localdate()
    batch = _start(finance, kind="partners", currency=" gbp ", cutoff=cutoff)
    assert (batch.kind, batch.currency, batch.cutoff, batch.built_by) == (
        "partners",
        "GBP",
        cutoff,
        finance,
    )
    audit = AuditEvent.objects.get(action="batch.started")
    assert (audit.actor, audit.target_id, audit.to_state) == (finance, str(batch.pk), "building")
    batch.refresh_from_db()
    assert (batch.status, batch.progress) == ("empty", 100)  # the build ran after the commit


def test_one_build_per_kind_and_currency_at_a_time(finance, second_finance):
    running = PayoutBatch.objects.create(
        kind="partners", currency="EUR", cutoff=timezone.localdate(), built_by=finance
    )
    with pytest.raises(ValidationError) as refused:
        _start(second_finance, currency="eur")
    assert refused.value.messages == [
        "A EUR batch is being built right now; wait for it to finish."
    ]
    # Another kind, another currency, or a finished build do not wait.
    assert _start(second_finance, kind="payroll", currency="EUR").kind == "payroll"
    assert _start(second_finance, currency="SEK").currency == "SEK"
    PayoutBatch.objects.filter(pk=running.pk).update(status="built")
    assert _start(second_finance, currency="EUR").pk != running.pk


# --- What a build takes -------------------------------------------------------------------------


def test_a_build_takes_what_was_approved_up_to_the_cutoff(finance, acme, settings):
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    today = timezone.localdate()
    yesterday_evening = timezone.make_aware(
        datetime.combine(today - timedelta(days=1), datetime.min.time())
    ) + timedelta(hours=23, minutes=59)
    on_cutoff = _owed(acme, "10.00", approved_at=yesterday_evening)
    after = _owed(acme, "20.00")  # approved today, after the cut-off
    batch = _start(finance, cutoff=today - timedelta(days=1))
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.commission_count) == ("built", Decimal("10.00"), 1)
    on_cutoff.refresh_from_db()
    after.refresh_from_db()
    assert (on_cutoff.batch, on_cutoff.status) == (batch, "in_batch")
    assert (after.batch, after.status) == (None, "approved")


def test_a_build_leaves_other_currencies_holds_and_unapproved_money(finance, acme, settings):
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    taken = _owed(acme, "1.00")
    _owed(acme, "2.00", currency="SEK")
    _owed(acme, "4.00", on_hold=True, hold_reason="Check")
    _owed(acme, "16.00", approved_at=timezone.now() + timedelta(minutes=1))  # during the build
    pending = _owed(acme, "8.00")
    Commission.objects.filter(pk=pending.pk).update(status="pending")
    batch = _start(finance)
    batch.refresh_from_db()
    assert (batch.total, batch.payee_count, batch.commission_count) == (Decimal("1.00"), 1, 1)
    assert list(Commission.objects.filter(batch=batch)) == [taken]


def test_a_payee_hold_stops_partner_payouts_only(finance, acme, settings):
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    other = PartnerOrganisationFactory()
    employee = UserFactory()
    _owed(acme, "5.00")
    _owed(other, "7.00")
    _owed(employee, "9.00")
    hold = payee_hold_set(actor=finance, organisation=acme, reason="  Tax form missing ")
    assert (hold.reason, hold.created_by) == ("Tax form missing", finance)
    partners = _start(finance)
    partners.refresh_from_db()
    assert (partners.total, [line.payee_org for line in partners.lines.all()]) == (
        Decimal("7.00"),
        [other],
    )
    payroll = _start(finance, kind="payroll")
    payroll.refresh_from_db()
    assert (payroll.total, [line.payee_user for line in payroll.lines.all()]) == (
        Decimal("9.00"),
        [employee],
    )


def test_a_payee_at_the_minimum_is_paid_and_one_below_waits(finance, settings):
    settings.PAYOUT_MINIMUM = Decimal("50.00")
    at, below = PartnerOrganisationFactory(), PartnerOrganisationFactory()
    _owed(at, "30.00")
    _owed(at, "20.00")
    _owed(below, "49.99")
    batch = _start(finance)
    batch.refresh_from_db()
    assert [(line.payee_org, line.total, line.commission_count) for line in batch.lines.all()] == [
        (at, Decimal("50.00"), 2)
    ]
    assert (batch.status, batch.total, batch.payee_count, batch.commission_count) == (
        "built",
        Decimal("50.00"),
        1,
        2,
    )


def _watched_build(batch, **kw):
    progress: list[int] = []

    def watch(execute, sql, params, many, context):
        # The progress bar finance watches: each UPDATE of the batch's progress alone.
        if sql.startswith('UPDATE "payouts_payoutbatch" SET "progress"'):
            progress.append(params[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        built = payout_batch_build(batch_id=batch.pk, **kw)
    return built, progress


def test_a_build_in_chunks_takes_every_payee_and_reports_progress(finance, settings):
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    one = PartnerOrganisationFactory()
    _owed(one, "0.50", currency="SEK")
    batch = PayoutBatch.objects.create(
        kind="partners", currency="SEK", cutoff=timezone.localdate(), built_by=finance
    )
    assert _watched_build(batch)[1] == [10, 90]
    payees = [PartnerOrganisationFactory() for _ in range(3)]
    for i, payee in enumerate(payees):
        _owed(payee, f"{i + 1}.00")
    batch = PayoutBatch.objects.create(
        kind="partners", currency="EUR", cutoff=timezone.localdate(), built_by=finance
    )
    built, progress = _watched_build(batch, chunk=2)
    assert progress == [10, 63, 90]
    assert (built.status, built.progress, built.total, built.payee_count) == (
        "built",
        100,
        Decimal("6.00"),
        3,
    )
    built_audits = AuditEvent.objects.filter(action="batch.built", target_id=str(batch.pk))
    audit = built_audits.get()
    assert (audit.actor, audit.from_state, audit.to_state, audit.data) == (
        finance,
        "building",
        "built",
        {"total": "6.00", "payees": 3, "commissions": 3},
    )
    assert payout_batch_build(batch_id=batch.pk) == built  # built: returned as it is
    assert built_audits.count() == 1


def test_an_empty_build_says_so(finance):
    batch = _start(finance)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.payee_count, batch.commission_count) == (
        "empty",
        Decimal("0.00"),
        0,
        0,
    )
    assert AuditEvent.objects.get(action="batch.built").to_state == "empty"


# --- Approval and payment ---------------------------------------------------------------------


@pytest.fixture
def built(finance, acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    _owed(acme, "12.34")
    batch = _start(finance)
    batch.refresh_from_db()
    return batch


def test_approval_is_recorded_with_its_file(built, second_finance):
    approved = payout_batch_approve(actor=second_finance, batch=built)
    built.refresh_from_db()
    assert (built.status, built.approved_by, built.export.name) == (
        "approved",
        second_finance,
        f"payouts/payout-{built.reference}.csv",
    )
    assert built.approved_at is not None and approved.status == "approved"
    payee = built.lines.get().payee_org_id  # the reference names the payee by id
    with built.export.open("rb") as exported:
        assert exported.read().split(b"\r\n")[:2] == [
            b"payee_id,payee,payout_reference,amount,currency,commission_count,commission_ids",
            f"{payee},Acme Partners,{built.reference}-{payee},12.34,EUR,1,"
            f"{Commission.objects.get().pk}".encode(),
        ]
    audit = AuditEvent.objects.get(action="batch.approved")
    assert (audit.actor, audit.from_state, audit.to_state) == (second_finance, "built", "approved")
    # Approving again changes nothing.
    assert payout_batch_approve(actor=second_finance, batch=built).export.name == built.export.name
    assert AuditEvent.objects.filter(action="batch.approved").count() == 1


def test_only_a_built_batch_is_approved(finance, second_finance):
    batch = PayoutBatch.objects.create(
        kind="partners", currency="EUR", cutoff=timezone.localdate(), built_by=finance
    )
    with pytest.raises(ValidationError) as refused:
        payout_batch_approve(actor=second_finance, batch=batch)
    assert refused.value.messages == ["Only a built batch can be approved; this one is building."]
    batch.refresh_from_db()
    assert (batch.status, batch.export.name) == ("building", "")


def test_only_finance_approves_or_pays(built, reviewer):
    with pytest.raises(PermissionDenied):
        payout_batch_approve(actor=reviewer, batch=built)
    with pytest.raises(PermissionDenied):
        payout_batch_mark_paid(actor=reviewer, batch=built)
    built.refresh_from_db()
    assert built.status == "built"


def test_paying_before_approval_is_refused(built, second_finance):
    with pytest.raises(ValidationError) as refused:
        payout_batch_mark_paid(actor=second_finance, batch=built)
    assert refused.value.messages == ["Approve the batch before marking it paid."]
    assert set(Commission.objects.values_list("status", flat=True)) == {"in_batch"}


def test_paying_a_batch_leaves_another_batchs_commissions_in_theirs(
    built, finance, second_finance, acme
):
    _owed(acme, "5.00", currency="USD")
    other = _start(finance, currency="USD")
    other.refresh_from_db()
    assert other.status == "built"
    payout_batch_approve(actor=second_finance, batch=built)
    payout_batch_mark_paid(actor=second_finance, batch=built)
    assert dict(Commission.objects.values_list("currency", "status")) == {
        "EUR": "paid",
        "USD": "in_batch",
    }


def test_payment_is_recorded_published_and_told(built, second_finance, partner_admin):
    payout_batch_approve(actor=second_finance, batch=built)
    paid = payout_batch_mark_paid(actor=second_finance, batch=built)
    built.refresh_from_db()
    assert (built.status, built.paid_by, paid.status) == ("paid", second_finance, "paid")
    assert built.paid_at is not None
    assert set(Commission.objects.values_list("status", flat=True)) == {"paid"}
    audit = AuditEvent.objects.get(action="batch.paid")
    assert (audit.actor, audit.from_state, audit.to_state, audit.data) == (
        second_finance,
        "approved",
        "paid",
        {"total": "12.34", "commissions": 1},
    )
    assert Notification.objects.filter(user=partner_admin, kind="commission_paid").count() == 1
    event = Event.objects.get(name="payout.paid")
    assert (event.aggregate, event.payload) == (
        f"payoutbatch:{built.pk}",
        {"batch": built.pk, "actor": second_finance.pk},
    )


# --- Payee holds --------------------------------------------------------------------------------


def test_a_payee_hold_needs_a_reason_and_finance(finance, reviewer, acme):
    with pytest.raises(ValidationError) as refused:
        payee_hold_set(actor=finance, organisation=acme, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why payouts are held."]}
    with pytest.raises(PermissionDenied):
        payee_hold_set(actor=reviewer, organisation=acme, reason="x")
    with pytest.raises(PermissionDenied):
        payee_hold_release(actor=reviewer, organisation=acme)
    assert not PayeeHold.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="payee.").exists()


def test_a_payee_hold_is_set_updated_and_released_with_records(finance, second_finance, acme):
    payee_hold_set(actor=finance, organisation=acme, reason="Tax form")
    payee_hold_set(actor=second_finance, organisation=acme, reason="Bank details")
    hold = PayeeHold.objects.get()
    assert (hold.reason, hold.created_by) == ("Bank details", second_finance)
    audits = AuditEvent.objects.filter(action="payee.hold").order_by("pk")
    assert [(a.actor, a.target_id, a.note) for a in audits] == [
        (finance, str(acme.pk), "Tax form"),
        (second_finance, str(acme.pk), "Bank details"),
    ]
    other = PartnerOrganisationFactory()
    payee_hold_set(actor=finance, organisation=other, reason="Other")
    payee_hold_release(actor=finance, organisation=acme)
    assert list(PayeeHold.objects.values_list("organisation", flat=True)) == [other.pk]
    audit = AuditEvent.objects.get(action="payee.release")
    assert (audit.actor, audit.target_id) == (finance, str(acme.pk))
