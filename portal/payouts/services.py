# SPDX-License-Identifier: AGPL-3.0-or-later
"""Commissions: plans and their arithmetic, creation from lead events, reversal,
approval and holds; payout details (SPEC §6). Batches live in ``batches.py``, reads and
statements in ``selectors.py``.

Payouts owns what a lead's status means for money (``STATUS_MEANING``): its handlers
(``handlers.py``) apply lead events after they commit, dated by the event. Money is
``Decimal`` rounded half-up to cents. Nothing paid is ever edited away: a commission of a
lead that is rejected or withdrawn is cancelled while it is not in a batch, and clawed
back (a negative twin) once it is in a batch or paid; a reversed deal is always clawed
back, before or after payout.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.money import ZERO, money
from portal.events.services import publish
from portal.fraud.selectors import hold_reason, lead_held_by_fraud
from portal.leads.models import Lead, LeadStatus

from .models import (
    Commission,
    CommissionEvent,
    CommissionPlan,
    CommissionStatus,
    PlanKind,
    ProgramCommissionSettings,
)
from .selectors import month_total, plan_for, tier_multiplier

# --- Plans and arithmetic -------------------------------------------------------------


def plan_amount(
    *, plan: CommissionPlan, deal_value: Decimal | None = None, multiplier: Decimal = Decimal("1")
) -> Decimal:
    """The commission one lead earns under a plan, before the monthly cap. Pure."""
    if plan.kind == PlanKind.FLAT_PER_QUALIFIED:
        if plan.flat_amount is None:
            raise ValueError("a flat plan needs its amount")
        amount = Decimal(plan.flat_amount)
    else:
        if deal_value is None or plan.percent is None:
            raise ValueError("percentage plans need the deal value and the percentage")
        rate = Decimal(plan.percent) / Decimal(100)
        if plan.kind == PlanKind.PERCENT_BY_TIER:
            rate *= multiplier
        amount = Decimal(deal_value) * rate
    amount = money(amount)
    if plan.cap_per_lead is not None:
        amount = min(amount, money(plan.cap_per_lead))
    return amount


def cap_to_month(*, amount: Decimal, cap: Decimal | None, already: Decimal) -> Decimal:
    """What is left of a monthly cap. Pure."""
    if cap is None:
        return amount
    return max(ZERO, min(amount, money(cap) - already))


def _create(
    *,
    lead: Lead,
    event: str,
    amount: Decimal,
    currency: str,
    hold_days: int,
    plan_name: str = "",
    basis: str = "",
    payee_org_id: int | None = None,
    payee_user_id: int | None = None,
    at: datetime,
) -> Commission | None:
    case = lead_held_by_fraud(lead_id=lead.pk)
    try:
        with transaction.atomic():
            commission = Commission.objects.create(
                on_hold=case is not None,
                hold_reason=hold_reason(case_id=case.pk) if case else "",
                lead=lead,
                program_id=lead.program_id,
                event=event,
                amount=amount,
                currency=currency,
                payee_org_id=payee_org_id,
                payee_user_id=payee_user_id,
                plan_name=plan_name,
                basis=basis,
                hold_until=timezone.localtime(at).date() + timedelta(days=hold_days),
                created_at=at,
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
    _publish_commission(name="commission.created", commission=commission)
    return commission


def _publish_commission(*, name: str, commission: Commission) -> None:
    publish(
        name=name,
        aggregate=commission,
        payload={
            "commission": commission.pk,
            "lead": commission.lead_id,
            "payee_org": commission.payee_org_id,
            "amount": str(commission.amount),
            "currency": commission.currency,
        },
    )


# What each new status of a lead means for money (leads knows nothing of money).
STATUS_MEANING = {
    LeadStatus.QUALIFIED: "qualified",
    LeadStatus.WON: "won",
    LeadStatus.REJECTED: "reversed",
    LeadStatus.WITHDRAWN: "reversed",
}


def lead_commissions_apply(
    *,
    lead: Lead,
    event: str,
    at: datetime | None = None,
    deal_value: Decimal | None = None,
) -> list[Commission]:
    """Create what a lead event ("qualified", "won") earns, dated ``at`` (month caps, hold
    periods): the partner's commission under its plan, and an employee's bonus for a won
    deal. Idempotent (one commission per lead and event: a unique constraint). Locks
    nothing; audits each commission; publishes ``commission.created`` for each (approval
    publishes ``commission.approved``)."""
    at = at or timezone.now()
    if deal_value is None:
        deal_value = lead.deal_value
    created: list[Commission] = []
    plan = plan_for(lead=lead)
    if plan is not None and (
        (event == "qualified" and plan.kind == PlanKind.FLAT_PER_QUALIFIED)
        or (event == "won" and plan.kind != PlanKind.FLAT_PER_QUALIFIED)
    ):
        multiplier = (
            tier_multiplier(lead=lead) if plan.kind == PlanKind.PERCENT_BY_TIER else Decimal("1")
        )
        amount = plan_amount(plan=plan, deal_value=deal_value, multiplier=multiplier)
        already = month_total(
            payee_org_id=lead.organisation_id,
            payee_user_id=None,
            plan_name=plan.name,
            when=at,
        )
        capped = cap_to_month(amount=amount, cap=plan.cap_per_month, already=already)
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
                at=at,
            )
        ):
            created.append(c)
    if event == "won" and lead.organisation_id is None:
        defaults = ProgramCommissionSettings.objects.filter(program_id=lead.program_id).first()
        bonus = defaults.employee_bonus if defaults else None
        if (
            defaults is not None
            and bonus
            and (
                c := _create(
                    lead=lead,
                    event=CommissionEvent.EMPLOYEE_BONUS,
                    amount=money(bonus),
                    currency=defaults.employee_bonus_currency,
                    hold_days=settings.EMPLOYEE_BONUS_HOLD_DAYS,
                    basis=_("Employee bonus per won referral"),
                    payee_user_id=lead.referrer_id,
                    at=at,
                )
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


def finance_only(*, actor: User) -> None:
    """Refuse (PermissionDenied) anyone but finance. Locks nothing."""
    if not has_role(user=actor, roles=(Role.FINANCE,)):
        raise PermissionDenied(_("Only finance handles commissions and payouts."))


def commission_approve(*, actor: User | None, commission: Commission, note: str = "") -> Commission:
    """Approve a pending commission (finance early, or the beat task when the hold
    ends). Checks finance (when an actor is given) and that it is pending; locks the
    commission's row; audits it and publishes ``commission.approved``."""
    if actor is not None:
        finance_only(actor=actor)
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
        publish(
            name="commission.approved",
            aggregate=locked,
            payload={
                "commission": locked.pk,
                "lead": locked.lead_id,
                "actor": actor.pk if actor else None,
            },
        )
    return locked


def commission_set_hold(
    *, actor: User, commission: Commission, hold: bool, reason: str = ""
) -> Commission:
    """Finance holds a pending commission back from batches, or releases it (a hold needs
    a reason). Checks the role and the status under the commission's row lock; audits the
    change. Publishes nothing."""
    finance_only(actor=actor)
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
    """Beat: approve pending commissions whose hold period has passed. Safe to rerun.
    Each as ``commission_approve`` (its own lock and ``commission.approved``)."""
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


def _clawback_create(
    *, original: Commission, actor: User | None, reason: str, at: datetime
) -> Commission | None:
    """The negative twin of a batched or paid commission, approved at once so it offsets
    the payee's next batch; audited (``commission.clawback``). The caller holds the
    original's row lock. None when the original has its clawback already (a concurrent
    run won: the one-to-one link refuses a second)."""
    try:
        with transaction.atomic():
            claw = Commission.objects.create(
                lead_id=original.lead_id,
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
                hold_until=timezone.localtime(at).date(),
                status=CommissionStatus.APPROVED,
                created_at=at,
                approved_at=at,
            )
    except IntegrityError:
        return None
    audit_record(
        actor=actor,
        action="commission.clawback",
        target=claw,
        to_state="approved",
        note=reason,
        data={"reverses": original.pk, "amount": str(claw.amount)},
    )
    return claw


def lead_commissions_reverse(
    *,
    lead: Lead,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
    cancel_unbatched: bool = True,
) -> list[Commission]:
    """Take back what a lead earned. A rejected or withdrawn lead never earned it: a
    commission not yet in a batch is cancelled, one in a batch or paid gets a clawback (a
    negative twin offset in the payee's next batch). A reversed deal
    (``cancel_unbatched=False``) was earned and then refunded: every commission gets a
    clawback, before or after payout (SPEC §6). Each original is reversed once. Locks the
    lead's commissions; audits each reversal; publishes ``commission.reversed`` for
    each original reversed."""
    at = at or timezone.now()
    reversed_: list[Commission] = []
    for original in (
        Commission.objects.select_for_update()
        .filter(lead=lead)
        .exclude(event=CommissionEvent.CLAWBACK)
        .exclude(status=CommissionStatus.CANCELLED)
        .order_by("pk")
    ):
        if hasattr(original, "clawback"):
            continue
        if cancel_unbatched and original.status in {
            CommissionStatus.PENDING,
            CommissionStatus.APPROVED,
        }:
            previous = original.status
            original.status = CommissionStatus.CANCELLED
            original.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="commission.cancelled",
                target=original,
                from_state=previous,
                to_state=original.status,
                note=reason,
                data={"amount": str(original.amount), "lead": lead.pk},
            )
            reversed_.append(original)
            _publish_commission(name="commission.reversed", commission=original)
            continue
        claw = _clawback_create(original=original, actor=actor, reason=reason, at=at)
        if claw is None:
            continue  # clawed back by a concurrent run
        reversed_.append(claw)
        _publish_commission(name="commission.reversed", commission=original)
    return reversed_


def source_commission_reverse(
    *, source: str, actor: User | None, reason: str, at: datetime | None = None
) -> Commission | None:
    """Take back the commission owed for ``source`` (money no lead earned, such as a
    recruitment reward whose underlying commission was reversed): cancelled while it is
    not in a batch, clawed back (a negative twin) once it is. Once: a cancelled or
    clawed-back one is left alone. Locks the commission's row; audits it. Publishes
    nothing. Returns the cancelled commission or the clawback, or None."""
    at = at or timezone.now()
    with transaction.atomic():
        original = Commission.objects.select_for_update().filter(source=source).first()
        if (
            original is None
            or original.status == CommissionStatus.CANCELLED
            or Commission.objects.filter(reverses=original).exists()
        ):
            return None
        if original.status in {CommissionStatus.PENDING, CommissionStatus.APPROVED}:
            previous, original.status = original.status, CommissionStatus.CANCELLED
            original.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="commission.cancelled",
                target=original,
                from_state=previous,
                to_state=original.status,
                note=reason,
                data={"amount": str(original.amount), "source": source},
            )
            return original
        claw = _clawback_create(original=original, actor=actor, reason=reason, at=at)
    return claw


def bonus_commission_add(
    *,
    source: str,
    event: str,
    amount: Decimal,
    currency: str,
    basis: str,
    payee_user_id: int | None = None,
    payee_org_id: int | None = None,
    at: datetime | None = None,
) -> Commission | None:
    """Money no lead earned (a fulfilled cash bonus reward, a contest prize), owed once per
    ``source``: a unique constraint makes a repeat return None. It was approved where it
    was decided (a reviewer fulfilled the reward, a contest closed), so it is created
    approved and joins the payee's next batch (employees: payroll; partners: their
    organisation's payout). Locks nothing; audits it. Publishes nothing."""
    at = at or timezone.now()
    amount = money(amount)
    if amount <= 0:
        return None
    try:
        with transaction.atomic():
            commission = Commission.objects.create(
                source=source,
                event=event,
                amount=amount,
                currency=currency,
                payee_user_id=None if payee_org_id else payee_user_id,
                payee_org_id=payee_org_id,
                basis=basis,
                hold_until=timezone.localtime(at).date(),
                status=CommissionStatus.APPROVED,
                created_at=at,
                approved_at=at,
            )
    except IntegrityError:
        return None  # this source already has its commission
    audit_record(
        actor=None,
        action="commission.created",
        target=commission,
        to_state=commission.status,
        note=basis,
        data={"amount": str(amount), "currency": currency, "source": source},
    )
    return commission


def lead_commissions_hold(*, lead_ids: list[int], case_id: int, hold: bool) -> int:
    """A fraud case holds (or releases) the unbatched commissions of its leads: a held
    commission is neither approved nor batched. Release touches only what this case held.
    Locks the commissions' rows; audits each. Publishes nothing. Returns how many."""
    reason = hold_reason(case_id=case_id)
    with transaction.atomic():
        qs = Commission.objects.select_for_update().filter(lead_id__in=lead_ids)
        if hold:
            qs = qs.filter(
                status__in=[CommissionStatus.PENDING, CommissionStatus.APPROVED],
                batch__isnull=True,
                on_hold=False,
            )
        else:
            qs = qs.filter(on_hold=True, hold_reason=reason)
        changed = list(qs)
        for commission in changed:
            commission.on_hold, commission.hold_reason = hold, reason if hold else ""
            commission.save(update_fields=["on_hold", "hold_reason"])
            audit_record(
                actor=None,
                action="commission.hold" if hold else "commission.release",
                target=commission,
                note=reason,
            )
    return len(changed)
