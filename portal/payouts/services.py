"""Commissions, clawbacks, payout batches, statements and payout details (SPEC §6).

Money is ``Decimal`` rounded half-up to cents. Commissions are created by the lead
services inside their transaction; nothing is ever edited away (a reversal is a negative
clawback). Batches are built set-based (one UPDATE per chunk of payees), so a commission
can join only one batch even when two finance users click at once.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from localflavor.generic.validators import BICValidator, IBANValidator

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.dates import month_bounds
from portal.leads.models import Lead
from portal.webhooks.services import event_emit

from .models import (
    BatchKind,
    BatchStatus,
    Commission,
    CommissionEvent,
    CommissionPlan,
    CommissionStatus,
    PartnerPlan,
    PayeeHold,
    PayoutBatch,
    PayoutLine,
    PlanKind,
    ProgramCommissionSettings,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Plans and arithmetic -------------------------------------------------------------


def plan_amount(
    plan: CommissionPlan, *, deal_value: Decimal | None = None, multiplier: Decimal = Decimal("1")
) -> Decimal:
    """The commission one lead earns under a plan, before the monthly cap. Pure."""
    if plan.kind == PlanKind.FLAT_PER_QUALIFIED:
        amount = Decimal(plan.flat_amount)
    else:
        if deal_value is None:
            raise ValueError("percentage plans need the deal value")
        rate = Decimal(plan.percent) / Decimal(100)
        if plan.kind == PlanKind.PERCENT_BY_TIER:
            rate *= multiplier
        amount = Decimal(deal_value) * rate
    amount = money(amount)
    if plan.cap_per_lead is not None:
        amount = min(amount, money(plan.cap_per_lead))
    return amount


def cap_to_month(amount: Decimal, *, cap: Decimal | None, already: Decimal) -> Decimal:
    """What is left of a monthly cap. Pure."""
    if cap is None:
        return amount
    return max(ZERO, min(amount, money(cap) - already))


def plan_for(lead: Lead) -> CommissionPlan | None:
    if lead.organisation_id is None:
        return None
    own = (
        PartnerPlan.objects.filter(organisation_id=lead.organisation_id, program_id=lead.program_id)
        .select_related("plan")
        .first()
    )
    if own:
        return own.plan
    defaults = (
        ProgramCommissionSettings.objects.filter(program_id=lead.program_id)
        .select_related("partner_plan")
        .first()
    )
    return defaults.partner_plan if defaults else None


def _tier_multiplier(lead: Lead) -> Decimal:
    from portal.rewards.models import TierStatus

    status = (
        TierStatus.objects.filter(participant_id=lead.referrer_id, program_id=lead.program_id)
        .select_related("tier")
        .first()
    )
    return status.tier.commission_multiplier if status and status.tier else Decimal("1")


def _month_total(
    *, payee_org_id: int | None, payee_user_id: int | None, plan_name: str, when: datetime
) -> Decimal:
    start = timezone.localtime(when).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    total = (
        Commission.objects.filter(
            payee_org_id=payee_org_id,
            payee_user_id=payee_user_id,
            plan_name=plan_name,
            created_at__gte=start,
        )
        .exclude(event=CommissionEvent.CLAWBACK)
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or ZERO


def _create(
    *,
    lead: Lead,
    event: str,
    amount: Decimal,
    currency: str,
    hold_days: int,
    plan_name: str = "",
    basis: str = "",
    payee_org_id=None,
    payee_user_id=None,
) -> Commission | None:
    try:
        with transaction.atomic():
            commission = Commission.objects.create(
                lead=lead,
                program_id=lead.program_id,
                event=event,
                amount=amount,
                currency=currency,
                payee_org_id=payee_org_id,
                payee_user_id=payee_user_id,
                plan_name=plan_name,
                basis=basis,
                hold_until=timezone.localdate() + timedelta(days=hold_days),
            )
    except IntegrityError:
        return None  # idempotent: this lead event already has its commission
    audit_record(
        actor=None,
        action="commission.created",
        target=commission,
        to_state=commission.status,
        note=basis,
        data={"amount": str(amount), "currency": currency, "lead": lead.pk},
    )
    return commission


def lead_commissions_apply(*, lead: Lead, event: str) -> list[Commission]:
    """Create what a lead event earns. Call inside the lead service's transaction."""
    created: list[Commission] = []
    plan = plan_for(lead)
    if plan is not None and (
        (event == "qualified" and plan.kind == PlanKind.FLAT_PER_QUALIFIED)
        or (event == "won" and plan.kind != PlanKind.FLAT_PER_QUALIFIED)
    ):
        multiplier = (
            _tier_multiplier(lead) if plan.kind == PlanKind.PERCENT_BY_TIER else Decimal("1")
        )
        amount = plan_amount(plan, deal_value=lead.deal_value, multiplier=multiplier)
        already = _month_total(
            payee_org_id=lead.organisation_id,
            payee_user_id=None,
            plan_name=plan.name,
            when=timezone.now(),
        )
        capped = cap_to_month(amount, cap=plan.cap_per_month, already=already)
        basis = _basis(plan, lead, multiplier, amount, capped)
        if capped > 0 and (
            c := _create(
                lead=lead,
                event=event,
                amount=capped,
                currency=plan.currency,
                hold_days=plan.hold_days,
                plan_name=plan.name,
                basis=basis,
                payee_org_id=lead.organisation_id,
            )
        ):
            created.append(c)
    if event == "won" and lead.organisation_id is None:
        defaults = ProgramCommissionSettings.objects.filter(program_id=lead.program_id).first()
        bonus = defaults.employee_bonus if defaults else None
        if bonus and (
            c := _create(
                lead=lead,
                event=CommissionEvent.EMPLOYEE_BONUS,
                amount=money(bonus),
                currency=defaults.employee_bonus_currency,
                hold_days=settings.EMPLOYEE_BONUS_HOLD_DAYS,
                basis=_("Employee bonus per won referral"),
                payee_user_id=lead.referrer_id,
            )
        ):
            created.append(c)
    return created


def _basis(
    plan: CommissionPlan, lead: Lead, multiplier: Decimal, amount: Decimal, capped: Decimal
) -> str:
    if plan.kind == PlanKind.FLAT_PER_QUALIFIED:
        text = _("Flat %(amount)s %(cur)s per qualified lead") % {
            "amount": plan.flat_amount,
            "cur": plan.currency,
        }
    else:
        text = _("%(pct)s%% of %(value)s %(cur)s") % {
            "pct": plan.percent,
            "value": lead.deal_value,
            "cur": lead.deal_currency,
        }
        if plan.kind == PlanKind.PERCENT_BY_TIER:
            text += _(" × tier multiplier %(m)s") % {"m": multiplier}
    if capped < amount:
        text += _(" (capped from %(a)s)") % {"a": amount}
    return text


# --- Commission lifecycle ---------------------------------------------------------------


def _finance_only(actor: User) -> None:
    if not has_role(actor, Role.FINANCE):
        raise PermissionDenied(_("Only finance handles commissions and payouts."))


def commission_approve(*, actor: User | None, commission: Commission, note: str = "") -> Commission:
    """Approve a pending commission (finance early, or the beat task when the hold ends)."""
    if actor is not None:
        _finance_only(actor)
    with transaction.atomic():
        locked = Commission.objects.select_for_update().get(pk=commission.pk)
        if locked.status != CommissionStatus.PENDING:
            raise ValidationError(
                _("Only a pending commission can be approved; this one is %(s)s.")
                % {"s": locked.get_status_display().lower()}
            )
        if locked.on_hold:
            raise ValidationError(
                _("This commission is on hold: %(r)s") % {"r": locked.hold_reason}
            )
        locked.status, locked.approved_at = CommissionStatus.APPROVED, timezone.now()
        locked.save(update_fields=["status", "approved_at"])
        audit_record(
            actor=actor,
            action="commission.approved",
            target=locked,
            from_state="pending",
            to_state="approved",
            note=note or ("" if actor else _("Hold period ended")),
        )
        event_emit("commission.approved", locked)
    return locked


def commission_set_hold(
    *, actor: User, commission: Commission, hold: bool, reason: str = ""
) -> Commission:
    _finance_only(actor)
    if hold and not reason.strip():
        raise ValidationError({"reason": [_("Say why the commission is on hold.")]})
    with transaction.atomic():
        locked = Commission.objects.select_for_update().get(pk=commission.pk)
        if locked.status != CommissionStatus.PENDING:
            raise ValidationError(_("Only a pending commission can be held or released."))
        locked.on_hold, locked.hold_reason = hold, reason.strip() if hold else ""
        locked.save(update_fields=["on_hold", "hold_reason"])
        audit_record(
            actor=actor,
            action="commission.hold" if hold else "commission.release",
            target=locked,
            note=reason,
        )
    return locked


def commissions_approve_due(*, today: date | None = None) -> int:
    """Beat: approve pending commissions whose hold period has passed. Safe to rerun."""
    today = today or timezone.localdate()
    due = Commission.objects.filter(
        status=CommissionStatus.PENDING, on_hold=False, hold_until__lte=today
    )
    approved = 0
    for commission in due.iterator():
        try:
            commission_approve(actor=None, commission=commission)
            approved += 1
        except ValidationError:
            continue  # changed meanwhile
    return approved


def lead_clawback(*, lead: Lead, actor: User | None, reason: str) -> list[Commission]:
    """A won deal was reversed: every commission of the lead gets a negative twin, whatever
    its state (before or after payout). Call inside the lead service's transaction."""
    created = []
    for original in (
        Commission.objects.select_for_update()
        .filter(lead=lead)
        .exclude(event=CommissionEvent.CLAWBACK)
    ):
        if hasattr(original, "clawback"):
            continue
        try:
            with transaction.atomic():
                claw = Commission.objects.create(
                    lead=lead,
                    program_id=original.program_id,
                    event=CommissionEvent.CLAWBACK,
                    amount=-original.amount,
                    currency=original.currency,
                    payee_org_id=original.payee_org_id,
                    payee_user_id=original.payee_user_id,
                    plan_name=original.plan_name,
                    basis=_("Clawback of commission #%(id)s: %(reason)s")
                    % {"id": original.pk, "reason": reason},
                    reverses=original,
                    hold_until=timezone.localdate(),
                    status=CommissionStatus.APPROVED,
                    approved_at=timezone.now(),
                )
        except IntegrityError:
            continue
        audit_record(
            actor=actor,
            action="commission.clawback",
            target=claw,
            to_state="approved",
            note=reason,
            data={"reverses": original.pk, "amount": str(claw.amount)},
        )
        created.append(claw)
    return created


# --- Payout batches ---------------------------------------------------------------------


def _payee_field(kind: str) -> str:
    return "payee_org" if kind == BatchKind.PARTNERS else "payee_user"


def payout_batch_start(*, actor: User, kind: str, currency: str, cutoff: date) -> PayoutBatch:
    """Finance user A asks for a batch; a Celery task builds it (progress on its page)."""
    _finance_only(actor)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": [_("Enter a three-letter currency code.")]})
    if kind not in BatchKind.values:
        raise ValidationError({"kind": [_("Choose partners or payroll.")]})
    if cutoff > timezone.localdate():
        raise ValidationError({"cutoff": [_("The cut-off cannot be in the future.")]})
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                kind=kind, currency=currency, cutoff=cutoff, built_by=actor
            )
            audit_record(actor=actor, action="batch.started", target=batch, to_state=batch.status)
    except IntegrityError as exc:
        raise ValidationError(
            _("A %(cur)s batch is being built right now; wait for it to finish.")
            % {"cur": currency}
        ) from exc
    from .tasks import payout_batch_build_task

    transaction.on_commit(lambda: payout_batch_build_task.delay(batch.pk))
    return batch


def _set_progress(batch_id: int, progress: int) -> None:
    PayoutBatch.objects.filter(pk=batch_id).update(progress=progress)


def payout_batch_build(*, batch_id: int, chunk: int = 250) -> PayoutBatch:
    """Put every eligible approved commission into the batch. Idempotent: a built batch is
    returned as it is; an interrupted build continues where it stopped."""
    batch = PayoutBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.BUILDING:
        return batch
    field = _payee_field(batch.kind)
    # Only what was approved before the build began: a clawback approved meanwhile must not
    # slip into a payee whose total was checked without it.
    started = timezone.now()
    eligible_qs = Commission.objects.filter(
        approved_at__lt=started,
        status=CommissionStatus.APPROVED,
        batch__isnull=True,
        currency=batch.currency,
        approved_at__date__lte=batch.cutoff,
        **{f"{field}__isnull": False},
    )
    if batch.kind == BatchKind.PARTNERS:
        eligible_qs = eligible_qs.exclude(payee_org__in=PayeeHold.objects.values("organisation"))
    payees = [
        row[field]
        for row in eligible_qs.values(field)
        .annotate(total=Sum("amount"))
        .filter(total__gte=settings.PAYOUT_MINIMUM)
        .order_by(field)
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
                    total=r["total"],
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
        batch.total = totals["total"] or ZERO
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


def _payee_labels(batch: PayoutBatch) -> dict[int, str]:
    if batch.kind == BatchKind.PARTNERS:
        ids = batch.lines.values_list("payee_org_id", flat=True)
        return dict(PartnerOrganisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    ids = batch.lines.values_list("payee_user_id", flat=True)
    return {
        u.pk: f"{u.display_name} <{u.email}>"
        for u in User.objects.filter(pk__in=ids).only("pk", "first_name", "last_name", "email")
    }


def payout_batch_write_csv(batch: PayoutBatch, out) -> None:
    """One row per payee: payee, payout reference, amount, currency, number of
    commissions, commission ids. Streams the ids: memory stays flat however many."""
    field = _payee_field(batch.kind)
    lines = {getattr(line, f"{field}_id"): line for line in batch.lines.all()}
    labels = _payee_labels(batch)
    writer = csv.writer(out)
    writer.writerow(
        [
            "payee_id",
            "payee",
            "payout_reference",
            "amount",
            "currency",
            "commission_count",
            "commission_ids",
        ]
    )
    current, ids = None, []

    def flush():
        line = lines[current]
        writer.writerow(
            [
                current,
                labels.get(current, ""),
                f"{batch.reference}-{current}",
                f"{line.total:.2f}",
                batch.currency,
                line.commission_count,
                " ".join(ids),
            ]
        )

    rows = (
        Commission.objects.filter(batch=batch)
        .order_by(field, "pk")
        .values_list(field, "pk")
        .iterator(chunk_size=5000)
    )
    for payee, pk in rows:
        if payee != current:
            if current is not None:
                flush()
            current, ids = payee, []
        ids.append(str(pk))
    if current is not None:
        flush()


def payout_batch_approve(*, actor: User, batch: PayoutBatch) -> PayoutBatch:
    """Finance user B approves (never the builder); approval exports the payout file."""
    _finance_only(actor)
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
        with tempfile.TemporaryFile("w+b") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            payout_batch_write_csv(locked, text)
            text.flush()
            raw.seek(0)
            locked.export.save(f"payout-{locked.reference}.csv", File(raw), save=False)
            text.detach()
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
    return locked


def payout_batch_mark_paid(*, actor: User, batch: PayoutBatch) -> PayoutBatch:
    """Close the batch: its commissions are paid. Twice is once."""
    _finance_only(actor)
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
        event_emit("payout.paid", locked)
        from .tasks import payout_batch_notify_paid

        transaction.on_commit(lambda: payout_batch_notify_paid.delay(locked.pk))
    return locked


def payee_hold_set(*, actor: User, organisation: PartnerOrganisation, reason: str) -> PayeeHold:
    _finance_only(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why payouts are held.")]})
    hold, _created = PayeeHold.objects.update_or_create(
        organisation=organisation, defaults={"reason": reason.strip(), "created_by": actor}
    )
    audit_record(actor=actor, action="payee.hold", target=organisation, note=reason)
    return hold


def payee_hold_release(*, actor: User, organisation: PartnerOrganisation) -> None:
    _finance_only(actor)
    PayeeHold.objects.filter(organisation=organisation).delete()
    audit_record(actor=actor, action="payee.release", target=organisation)


# --- Partner side ----------------------------------------------------------------------


@dataclass
class Statement:
    month: date
    opening: Decimal
    earned: Decimal
    clawed_back: Decimal
    paid: Decimal
    closing: Decimal
    currency: str
    commissions: list


def statement_for(
    *, organisation: PartnerOrganisation, month: date, currency: str = "EUR"
) -> Statement:
    start, end = month_bounds(month.year, month.month)
    mine = Commission.objects.filter(payee_org=organisation, currency=currency)
    paid_lines = PayoutLine.objects.filter(
        payee_org=organisation, batch__currency=currency, batch__status=BatchStatus.PAID
    )

    def total(qs, field="amount"):
        return money(qs.aggregate(s=Sum(field))["s"] or ZERO)

    opening = total(mine.filter(created_at__lt=start)) - total(
        paid_lines.filter(batch__paid_at__lt=start), "total"
    )
    in_month = mine.filter(created_at__gte=start, created_at__lt=end)
    earned = total(in_month.exclude(event=CommissionEvent.CLAWBACK))
    clawed = total(in_month.filter(event=CommissionEvent.CLAWBACK))
    paid = total(paid_lines.filter(batch__paid_at__gte=start, batch__paid_at__lt=end), "total")
    return Statement(
        month=month,
        opening=opening,
        earned=earned,
        clawed_back=clawed,
        paid=paid,
        closing=opening + earned + clawed - paid,
        currency=currency,
        commissions=list(in_month.select_related("lead").order_by("created_at")),
    )


def statement_csv(statement: Statement, out) -> None:
    writer = csv.writer(out)
    writer.writerow(["month", statement.month.strftime("%Y-%m"), "currency", statement.currency])
    for label, value in [
        ("opening balance", statement.opening),
        ("earned", statement.earned),
        ("clawed back", statement.clawed_back),
        ("paid", statement.paid),
        ("closing balance", statement.closing),
    ]:
        writer.writerow([label, f"{value:.2f}"])
    writer.writerow([])
    writer.writerow(["commission_id", "date", "lead", "for", "amount", "status"])
    for c in statement.commissions:
        writer.writerow(
            [
                c.pk,
                timezone.localtime(c.created_at).date().isoformat(),
                c.lead_id,
                c.get_event_display(),
                f"{c.amount:.2f}",
                c.get_status_display(),
            ]
        )


def mask(value: str) -> str:
    value = (value or "").replace(" ", "")
    return "•" * max(0, len(value) - 4) + value[-4:] if value else ""


def payout_details_update(
    *, actor: User, organisation: PartnerOrganisation, account_holder: str, iban: str, bic: str = ""
) -> PartnerOrganisation:
    """The partner admin keeps the organisation's payout details (validated IBAN/BIC)."""
    if not (
        has_role(actor, Role.PARTNER_ADMIN) and actor.partner_organisation_id == organisation.pk
    ):
        raise PermissionDenied(_("Only the organisation's partner admin edits its payout details."))
    errors: dict[str, list[str]] = {}
    iban = (iban or "").replace(" ", "").upper()
    bic = (bic or "").replace(" ", "").upper()
    if not account_holder.strip():
        errors["account_holder"] = [_("Enter the account holder's name.")]
    try:
        IBANValidator()(iban)
    except ValidationError:
        errors["iban"] = [
            _("This IBAN is not valid: check the country code, length and check digits.")
        ]
    if bic:
        try:
            BICValidator()(bic)
        except ValidationError:
            errors["bic"] = [_("This BIC is not valid.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        org = PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)
        before = mask(org.payout_details.get("iban", ""))
        org.payout_details = {
            "method": "iban",
            "account_holder": account_holder.strip(),
            "iban": iban,
            "bic": bic,
            "updated_at": timezone.now().isoformat(),
        }
        org.save(update_fields=["payout_details"])
        audit_record(
            actor=actor,
            action="payout_details.updated",
            target=org,
            from_state=before,
            to_state=mask(iban),
        )
    return org


def commission_summary(organisation_id: int) -> dict:
    """Totals per status for the partner's pages."""
    rows = (
        Commission.objects.filter(payee_org_id=organisation_id)
        .values("status", "currency")
        .annotate(total=Sum("amount"))
    )
    return {(r["status"], r["currency"]): money(r["total"]) for r in rows}
