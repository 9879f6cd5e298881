# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of commissions, plans, batches and statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, has_role
from portal.core.dates import month_bounds
from portal.core.money import money, money_sum
from portal.leads.models import Lead

from .models import (
    BatchKind,
    BatchStatus,
    Commission,
    CommissionEvent,
    CommissionPlan,
    CommissionStatus,
    PartnerPlan,
    PayoutBatch,
    PayoutLine,
    ProgramCommissionSettings,
)


def commissions_visible_to(*, user: Viewer) -> QuerySet[Commission]:
    """Finance sees all; a partner admin their organisation's; an employee their own
    bonuses; a partner user only the summary (see ``commission_summary``)."""
    qs = Commission.objects.select_related("lead", "payee_org", "payee_user", "batch")
    if has_role(user=user, roles=(Role.FINANCE,)):
        return qs
    if not isinstance(user, User):
        return qs.none()
    if has_role(user=user, roles=(Role.PARTNER_ADMIN,)):
        return qs.filter(payee_org_id=user.partner_organisation_id)
    if has_role(user=user, roles=(Role.EMPLOYEE,)):
        return qs.filter(payee_user=user)
    return qs.none()


def batches_visible_to(*, user: Viewer) -> QuerySet[PayoutBatch]:
    """Payout batches: finance only (none for anyone else)."""
    if has_role(user=user, roles=(Role.FINANCE,)):
        return PayoutBatch.objects.select_related("built_by", "approved_by", "paid_by")
    return PayoutBatch.objects.none()


def plan_for(*, lead: Lead) -> CommissionPlan | None:
    """The plan a partner lead earns under: the organisation's own for the program, else
    the program's default partner plan; None for employees' leads."""
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


def tier_multiplier(*, lead: Lead) -> Decimal:
    """The commission multiplier of the referrer's tier in the lead's program (1 without)."""
    from portal.rewards.models import TierStatus

    status = (
        TierStatus.objects.filter(participant_id=lead.referrer_id, program_id=lead.program_id)
        .select_related("tier")
        .first()
    )
    return status.tier.commission_multiplier if status and status.tier else Decimal("1")


def month_total(
    *, payee_org_id: int | None, payee_user_id: int | None, plan_name: str, when: datetime
) -> Decimal:
    """What one payee has earned under one plan in the month of ``when`` (clawbacks and
    cancelled commissions left out): the figure a monthly cap is measured against.
    Locks nothing."""
    start = timezone.localtime(when).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return money_sum(
        Commission.objects.filter(
            payee_org_id=payee_org_id,
            payee_user_id=payee_user_id,
            plan_name=plan_name,
            created_at__gte=start,
        )
        .exclude(event=CommissionEvent.CLAWBACK)
        .exclude(status=CommissionStatus.CANCELLED)
    )


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
    """A partner's month: opening balance, earned, clawed back, paid, closing balance, in
    cents, and the month's commissions (cancelled ones listed, never counted)."""
    start, end = month_bounds(month.year, month.month)
    listed = Commission.objects.filter(payee_org=organisation, currency=currency)
    mine = listed.exclude(status=CommissionStatus.CANCELLED)
    paid_lines = PayoutLine.objects.filter(
        payee_org=organisation, batch__currency=currency, batch__status=BatchStatus.PAID
    )

    total = money_sum

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
        commissions=list(
            listed.filter(created_at__gte=start, created_at__lt=end)
            .select_related("lead")
            .order_by("created_at", "pk")
        ),
    )


def mask(*, value: str) -> str:
    """All but the last four characters hidden (IBANs shown to finance)."""
    value = (value or "").replace(" ", "")
    return "•" * max(0, len(value) - 4) + value[-4:] if value else ""


def commission_summary(*, organisation_id: int) -> dict[tuple[str, str], Decimal]:
    """Totals per status for the partner's pages."""
    rows = (
        Commission.objects.filter(payee_org_id=organisation_id)
        .values("status", "currency")
        .annotate(total=Sum("amount"))
    )
    return {(r["status"], r["currency"]): money(r["total"]) for r in rows}


def payee_field(*, kind: str) -> str:
    """The commission column that names a batch kind's payee."""
    return "payee_org" if kind == BatchKind.PARTNERS else "payee_user"
