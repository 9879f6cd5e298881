# SPDX-License-Identifier: AGPL-3.0-or-later
"""The figures each role's dashboard shows (issue 16, item 6): reads only, each scoped to
the viewer. Counts come from the insight rollups; money from commissions and batches.

- manager: each member of the teams they manage, this month;
- finance: money due, what waits for approval, holds and negative balances;
- partner admin and partner: earnings over time, the next payout, each referral link;
- employee: their own funnel and points over time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import roles_of, teams_managed_by
from portal.core.dates import local_midnight, next_month
from portal.core.money import money
from portal.leads.models import Lead, ReferralLink
from portal.payouts.models import (
    BatchStatus,
    Commission,
    CommissionStatus,
    PayeeHold,
    PayoutBatch,
)

from .models import LeadDaily, PointsDaily


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def recent_months(*, today: date, n: int) -> list[date]:
    """The first days of the ``n`` months up to and including ``today``'s, oldest first."""
    months = [today.replace(day=1)]
    for _ in range(n - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months[::-1]


def recent_weeks(*, today: date, n: int) -> list[date]:
    """The Mondays of the ``n`` weeks up to and including ``today``'s, oldest first."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=i) for i in range(n - 1, -1, -1)]


# --- Manager ---------------------------------------------------------------------------


@dataclass
class MemberFigures:
    member: User
    referrals: int = 0
    qualified: int = 0
    won: int = 0
    points: int = 0
    weekly: list[int] = field(default_factory=list)  # referrals per week, oldest first

    @property
    def conversion(self) -> Decimal | None:
        """Won of referred, in per cent (None without referrals)."""
        return _rate(self.won, self.referrals)


@dataclass
class TeamFigures:
    team_id: int
    name: str
    members: list[MemberFigures]
    weeks: list[date]


def manager_figures(*, user: User, today: date, weeks: int = 12) -> list[TeamFigures]:
    """For each team ``user`` manages: every member's referrals submitted this month, how
    many of them were qualified and won so far, the conversion, the points earned this
    month, and referrals per week over the last ``weeks`` weeks (the trend line). Only the
    teams the user manages: none for anyone who is not a manager. Four queries however
    many teams and members."""
    month_start = today.replace(day=1)
    week_days = recent_weeks(today=today, n=weeks)
    teams = list(teams_managed_by(user=user).order_by("name"))
    members = list(
        User.objects.filter(team__in=teams, is_active=True).order_by("first_name", "email")
    )
    ids = [m.pk for m in members]
    month: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    weekly: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for referrer_id, day, submitted, qualified, won in LeadDaily.objects.filter(
        referrer_id__in=ids, day__gte=min(month_start, week_days[0]), day__lte=today
    ).values_list("referrer_id", "day", "submitted", "qualified", "won"):
        if day >= month_start:
            counts = month[referrer_id]
            counts[0] += submitted
            counts[1] += qualified
            counts[2] += won
        if day >= week_days[0]:
            weekly[referrer_id][day - timedelta(days=day.weekday())] += submitted
    points = {
        r["participant_id"]: r["p"] or 0
        for r in PointsDaily.objects.filter(
            participant_id__in=ids, day__gte=month_start, day__lte=today
        )
        .values("participant_id")
        .annotate(p=Sum("points"))
        .order_by()
    }
    out = []
    for team in teams:
        rows = []
        for m in (m for m in members if m.team_id == team.pk):
            s, q, w = month[m.pk]
            rows.append(
                MemberFigures(
                    member=m,
                    referrals=s,
                    qualified=q,
                    won=w,
                    points=points.get(m.pk, 0),
                    weekly=[weekly[m.pk][d] for d in week_days],
                )
            )
        out.append(TeamFigures(team_id=team.pk, name=team.name, members=rows, weeks=week_days))
    return out


# --- Finance ---------------------------------------------------------------------------


@dataclass
class DueRow:
    payee_type: str  # "partners" or "payroll" (BatchKind values)
    currency: str
    pending: Decimal = Decimal("0.00")
    approved: Decimal = Decimal("0.00")
    in_batch: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return money(self.pending + self.approved + self.in_batch)


@dataclass
class Waiting:
    """A commission or batch waiting for someone, with its age in whole days."""

    obj: Commission | PayoutBatch
    age_days: int


@dataclass
class NegativeBalance:
    payee: str
    payee_type: str
    currency: str
    balance: Decimal


@dataclass
class FinanceFigures:
    due: list[DueRow]
    waiting_commissions: list[Waiting]
    waiting_commission_count: int
    waiting_batches: list[Waiting]
    holds: list[PayeeHold]
    held_commissions: dict[str, Decimal]  # currency → total of commissions put on hold
    negative: list[NegativeBalance]


def _age(moment: datetime, now: datetime) -> int:
    return max((now - moment).days, 0)


def finance_figures(*, user: User, now: datetime, limit: int = 10) -> FinanceFigures | None:
    """Money due by payee type (partners, payroll) and status; the oldest commissions
    waiting for approval and the batches waiting for a second approver, with their age;
    payees on hold and the commissions held; payees whose open balance is negative (more
    clawed back than earned). None for anyone without the finance role."""
    if Role.FINANCE not in roles_of(user=user):
        return None
    open_statuses = [CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.IN_BATCH]
    due: dict[tuple[str, str], DueRow] = {}
    for r in (
        Commission.objects.filter(status__in=open_statuses)
        .values("currency", "status", partners=Q(payee_org__isnull=False))
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        kind = "partners" if r["partners"] else "payroll"
        row = due.setdefault((kind, r["currency"]), DueRow(payee_type=kind, currency=r["currency"]))
        setattr(row, r["status"], money(getattr(row, r["status"]) + money(r["total"])))
    pending = Commission.objects.filter(status=CommissionStatus.PENDING, on_hold=False)
    waiting = [
        Waiting(c, _age(c.created_at, now))
        for c in pending.select_related("lead", "payee_org", "payee_user").order_by(
            "created_at", "pk"
        )[:limit]
    ]
    batches = [
        Waiting(b, _age(b.created_at, now))
        for b in PayoutBatch.objects.filter(status=BatchStatus.BUILT)
        .select_related("built_by")
        .order_by("created_at", "pk")
    ]
    held = {
        r["currency"]: money(r["total"])
        for r in Commission.objects.filter(on_hold=True, status__in=open_statuses)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    negative = []
    for b in (
        Commission.objects.filter(status__in=[CommissionStatus.PENDING, CommissionStatus.APPROVED])
        .values("payee_org_id", "payee_user_id", "currency")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
        .order_by("balance")
    ):
        if b["payee_org_id"]:
            name = PartnerOrganisation.objects.get(pk=b["payee_org_id"]).name
            kind = "partners"
        else:
            name = User.objects.get(pk=b["payee_user_id"]).display_name
            kind = "payroll"
        negative.append(NegativeBalance(name, kind, b["currency"], money(b["balance"])))
    return FinanceFigures(
        due=[due[k] for k in sorted(due)],
        waiting_commissions=waiting,
        waiting_commission_count=pending.count(),
        waiting_batches=batches,
        holds=list(PayeeHold.objects.select_related("organisation").order_by("created_at")),
        held_commissions=held,
        negative=negative,
    )


# --- Partner admin and partner ---------------------------------------------------------


@dataclass
class NextPayout:
    expected_on: date
    currency: str
    amount: Decimal
    below_minimum: bool
    on_hold: bool


@dataclass
class LinkFigures:
    owner: User
    code: str
    visits: int
    referrals: int
    won: int

    @property
    def conversion(self) -> Decimal | None:
        """Referrals per visit, in per cent."""
        return _rate(self.referrals, self.visits)


@dataclass
class PartnerFigures:
    organisation_name: str
    months: list[date]
    earnings: dict[str, list[Decimal]]  # currency → earned per month (oldest first)
    next_payouts: list[NextPayout]
    links: list[LinkFigures]


def next_payout_day(*, today: date) -> date:
    """The next PAYOUT_DAY_OF_MONTH on or after ``today`` (the day finance pays batches)."""
    day = min(settings.PAYOUT_DAY_OF_MONTH, 28)
    this_month = today.replace(day=day)
    return this_month if this_month >= today else next_month(today).replace(day=day)


def partner_figures(*, user: User, today: date, months: int = 12) -> PartnerFigures | None:
    """For a partner's dashboard: their organisation's commissions earned per month
    (cancelled left out, clawbacks netted), the next payout's expected day and amount
    per currency (approved and batched commissions, plus pending ones whose hold ends by
    then; nothing while the organisation is on hold) and each referral link's visits,
    referrals and conversion: every member's for a partner admin, their own for a
    partner user. None for anyone outside a partner organisation."""
    roles = roles_of(user=user)
    org_id = user.partner_organisation_id
    if org_id is None or not roles & {Role.PARTNER_USER, Role.PARTNER_ADMIN}:
        return None
    month_days = recent_months(today=today, n=months)
    earned = Commission.objects.filter(
        payee_org_id=org_id, created_at__gte=local_midnight(month_days[0])
    ).exclude(status=CommissionStatus.CANCELLED)
    per_month: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for r in (
        earned.annotate(m=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("currency", "m")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        m = r["m"].date() if isinstance(r["m"], datetime) else r["m"]
        per_month[r["currency"]][m] = money(r["total"])
    earnings = {
        c: [per_month[c].get(m, Decimal("0.00")) for m in month_days] for c in sorted(per_month)
    }
    payday = next_payout_day(today=today)
    on_hold = PayeeHold.objects.filter(organisation_id=org_id).exists()
    payable = Commission.objects.filter(payee_org_id=org_id, on_hold=False).filter(
        Q(status__in=[CommissionStatus.APPROVED, CommissionStatus.IN_BATCH])
        | Q(status=CommissionStatus.PENDING, hold_until__lte=payday)
    )
    payouts = [
        NextPayout(
            expected_on=payday,
            currency=r["currency"],
            amount=money(r["total"]),
            below_minimum=money(r["total"]) < settings.PAYOUT_MINIMUM,
            on_hold=on_hold,
        )
        for r in payable.values("currency").annotate(total=Sum("amount")).order_by("currency")
    ]
    owners = (
        User.objects.filter(partner_organisation_id=org_id)
        if Role.PARTNER_ADMIN in roles
        else User.objects.filter(pk=user.pk)
    )
    links = list(
        ReferralLink.objects.filter(user__in=owners)
        .select_related("user")
        .annotate(visit_count=Count("visits", distinct=True))
        .order_by("user__first_name", "user__email")
    )
    leads: dict[int, dict[str, Any]] = {
        r["referral_link_id"]: dict(r)
        for r in Lead.objects.filter(referral_link__in=links)
        .values("referral_link_id")
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(status="won")))
        .order_by()
    }
    return PartnerFigures(
        organisation_name=user.partner_organisation.name if user.partner_organisation else "",
        months=month_days,
        earnings=earnings,
        next_payouts=payouts,
        links=[
            LinkFigures(
                owner=link.user,
                code=link.code,
                visits=link.visit_count,
                referrals=(leads.get(link.pk) or {}).get("n", 0),
                won=(leads.get(link.pk) or {}).get("won", 0),
            )
            for link in links
        ],
    )


# --- Employee --------------------------------------------------------------------------


@dataclass
class EmployeeFigures:
    submitted: int
    qualified: int
    won: int
    months: list[date]
    points: list[int]  # earned per month, oldest first

    @property
    def qualify_rate(self) -> Decimal | None:
        return _rate(self.qualified, self.submitted)

    @property
    def win_rate(self) -> Decimal | None:
        return _rate(self.won, self.qualified)


def employee_figures(*, user: User, today: date, months: int = 12) -> EmployeeFigures:
    """The user's own funnel over the last ``months`` months (leads submitted, and how
    many of them were qualified and won) and the points they earned in each month."""
    month_days = recent_months(today=today, n=months)
    counts = LeadDaily.objects.filter(referrer=user, day__gte=month_days[0]).aggregate(
        s=Sum("submitted"), q=Sum("qualified"), w=Sum("won")
    )
    per_month: dict[date, int] = defaultdict(int)
    for day, points in PointsDaily.objects.filter(
        participant=user, day__gte=month_days[0], day__lte=today
    ).values_list("day", "points"):
        per_month[day.replace(day=1)] += points
    return EmployeeFigures(
        submitted=counts["s"] or 0,
        qualified=counts["q"] or 0,
        won=counts["w"] or 0,
        months=month_days,
        points=[per_month.get(m, 0) for m in month_days],
    )
