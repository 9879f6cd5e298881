# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payout batches: finance user A builds one (set-based, in Celery), finance user B
approves it (the payout file is written), and it is marked paid (SPEC §6). A commission
joins at most one batch, even when two finance users click at once."""

from __future__ import annotations

import io
import tempfile
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.audit.services import audit_record
from portal.core.money import money
from portal.events.services import publish

from .exports import payout_batch_write_csv
from .models import (
    BatchKind,
    BatchStatus,
    Commission,
    CommissionStatus,
    PayeeHold,
    PayoutBatch,
    PayoutLine,
)
from .selectors import payee_field
from .services import finance_only


def payout_batch_start(*, actor: User, kind: str, currency: str, cutoff: date) -> PayoutBatch:
    """Finance user A asks for a batch; a Celery task builds it (progress on its
    page). Checks finance, the currency, kind and cut-off; one batch per currency is
    built at a time (a unique constraint, no lock); audits it. Publishes nothing."""
    finance_only(actor=actor)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": [_("Enter a three-letter currency code.")]})
    if kind not in BatchKind.values:
        raise ValidationError({"kind": [_("Choose partners or payroll.")]})
    if cutoff > timezone.localdate():
        raise ValidationError({"cutoff": [_("The cut-off cannot be in the future.")]})
    busy = _("A %(cur)s batch is being built right now; wait for it to finish.") % {"cur": currency}
    # Checked here first; the one_build_at_a_time constraint only settles a race.
    if PayoutBatch.objects.filter(
        kind=kind, currency=currency, status=BatchStatus.BUILDING
    ).exists():
        raise ValidationError(busy)
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                kind=kind, currency=currency, cutoff=cutoff, built_by=actor
            )
            audit_record(actor=actor, action="batch.started", target=batch, to_state=batch.status)
    except IntegrityError as exc:
        raise ValidationError(busy) from exc
    from .tasks import payout_batch_build_task

    transaction.on_commit(lambda: payout_batch_build_task.delay(batch.pk))
    return batch


def _set_progress(batch_id: int, progress: int) -> None:
    PayoutBatch.objects.filter(pk=batch_id).update(progress=progress)


def payout_batch_build(*, batch_id: int, chunk: int = 250) -> PayoutBatch:
    """Put every eligible approved commission into the batch. Idempotent: a built batch is
    returned as it is; an interrupted build continues where it stopped. Takes the
    commissions chunk by chunk with conditional UPDATEs (only those still unbatched),
    then locks the batch to total it; audits the build. Publishes nothing."""
    batch = PayoutBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.BUILDING:
        return batch
    field = payee_field(kind=batch.kind)
    # Only what was approved before the build began: a clawback approved meanwhile must not
    # slip into a payee whose total was checked without it.
    started = timezone.now()
    eligible_qs = Commission.objects.filter(
        approved_at__lt=started,
        status=CommissionStatus.APPROVED,
        on_hold=False,  # held for review (finance or a fraud case): never batched
        batch__isnull=True,
        currency=batch.currency,
        approved_at__date__lte=batch.cutoff,
        **{f"{field}__isnull": False},
    )
    if batch.kind == BatchKind.PARTNERS:
        eligible_qs = eligible_qs.exclude(payee_org__in=PayeeHold.objects.values("organisation"))
    # The minimum is compared in exact cents, in Python: SQLite's floating-point sum of
    # 0.10 + 0.20 - 0.29 is not 0.01.
    minimum = money(settings.PAYOUT_MINIMUM)
    payees = [
        row[field]
        for row in eligible_qs.values(field).annotate(total=Sum("amount")).order_by(field)
        if money(row["total"]) >= minimum
    ]
    _set_progress(batch.pk, 10)
    for start in range(0, len(payees), chunk):
        part = payees[start : start + chunk]
        with transaction.atomic():
            # One statement: rows another build took meanwhile no longer match batch IS NULL.
            eligible_qs.filter(**{f"{field}__in": part}).update(
                batch=batch, status=CommissionStatus.IN_BATCH
            )
        _set_progress(
            batch.pk, 10 + int(80 * min(len(payees), start + chunk) / max(1, len(payees)))
        )
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        rows = (
            Commission.objects.filter(batch=batch)
            .values(field)
            .annotate(total=Sum("amount"), n=Count("pk"))
            .order_by(field)
        )
        PayoutLine.objects.filter(batch=batch).delete()
        PayoutLine.objects.bulk_create(
            [
                PayoutLine(
                    batch=batch,
                    total=money(r["total"]),
                    commission_count=r["n"],
                    **{f"{field}_id": r[field]},
                )
                for r in rows
            ],
            batch_size=1000,
        )
        totals = PayoutLine.objects.filter(batch=batch).aggregate(
            total=Sum("total"), payees=Count("pk"), n=Sum("commission_count")
        )
        batch.total = money(totals["total"])
        batch.payee_count = totals["payees"] or 0
        batch.commission_count = totals["n"] or 0
        batch.status = BatchStatus.BUILT if batch.payee_count else BatchStatus.EMPTY
        batch.progress = 100
        batch.save(update_fields=["total", "payee_count", "commission_count", "status", "progress"])
        audit_record(
            actor=batch.built_by,
            action="batch.built",
            target=batch,
            from_state="building",
            to_state=batch.status,
            data={
                "total": str(batch.total),
                "payees": batch.payee_count,
                "commissions": batch.commission_count,
            },
        )
    return batch


def payout_batch_approve(*, actor: User, batch: PayoutBatch) -> PayoutBatch:
    """Finance user B approves (never the builder); approval exports the payout file.
    Checks finance and that the approver is not the builder; locks the batch; audits
    it. Publishes nothing."""
    finance_only(actor=actor)
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status in {BatchStatus.APPROVED, BatchStatus.PAID}:
            return locked  # idempotent
        if locked.status != BatchStatus.BUILT:
            raise ValidationError(
                _("Only a built batch can be approved; this one is %(s)s.")
                % {"s": locked.get_status_display().lower()}
            )
        if locked.built_by_id == actor.pk:
            raise PermissionDenied(_("You built this batch: another finance user must approve it."))
        # Every check is above: the file is the last thing written, and it does not
        # outlive a transaction that fails after it (storage is not rolled back).
        with tempfile.TemporaryFile("w+b") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            payout_batch_write_csv(batch=locked, out=text)
            text.flush()
            raw.seek(0)
            locked.export.save(f"payout-{locked.reference}.csv", File(raw), save=False)
            text.detach()
        try:
            locked.status, locked.approved_by, locked.approved_at = (
                BatchStatus.APPROVED,
                actor,
                timezone.now(),
            )
            locked.save(update_fields=["status", "approved_by", "approved_at", "export"])
            audit_record(
                actor=actor,
                action="batch.approved",
                target=locked,
                from_state="built",
                to_state="approved",
            )
        except BaseException:
            locked.export.delete(save=False)
            raise
    return locked


def payout_batch_mark_paid(*, actor: User, batch: PayoutBatch) -> PayoutBatch:
    """Close the batch: its commissions are paid. Twice is once. Checks finance;
    locks the batch; audits it and publishes ``payout.paid``; notifies payees on
    commit."""
    finance_only(actor=actor)
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BatchStatus.PAID:
            return locked
        if locked.status != BatchStatus.APPROVED:
            raise ValidationError(_("Approve the batch before marking it paid."))
        Commission.objects.filter(batch=locked, status=CommissionStatus.IN_BATCH).update(
            status=CommissionStatus.PAID
        )
        locked.status, locked.paid_by, locked.paid_at = BatchStatus.PAID, actor, timezone.now()
        locked.save(update_fields=["status", "paid_by", "paid_at"])
        audit_record(
            actor=actor,
            action="batch.paid",
            target=locked,
            from_state="approved",
            to_state="paid",
            data={"total": str(locked.total), "commissions": locked.commission_count},
        )
        publish(
            name="payout.paid", aggregate=locked, payload={"batch": locked.pk, "actor": actor.pk}
        )
        from .tasks import payout_batch_notify_paid

        transaction.on_commit(lambda: payout_batch_notify_paid.delay(locked.pk))
    return locked


def payee_hold_set(*, actor: User, organisation: PartnerOrganisation, reason: str) -> PayeeHold:
    """Finance holds every payout to an organisation, saying why (one hold per
    organisation: a second call updates the reason). Audits it; locks nothing. Checks
    finance and the reason; publishes nothing."""
    finance_only(actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why payouts are held.")]})
    hold, _created = PayeeHold.objects.update_or_create(
        organisation=organisation, defaults={"reason": reason.strip(), "created_by": actor}
    )
    audit_record(actor=actor, action="payee.hold", target=organisation, note=reason)
    return hold


def payee_hold_release(*, actor: User, organisation: PartnerOrganisation) -> None:
    """Finance lifts an organisation's payout hold (none is fine). Audits it. Checks
    finance; locks nothing, publishes nothing."""
    finance_only(actor=actor)
    PayeeHold.objects.filter(organisation=organisation).delete()
    audit_record(actor=actor, action="payee.release", target=organisation)
