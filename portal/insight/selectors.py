# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the insight pages: who may see what (``insight_scope``), the funnel, money
and ROI, and the leads behind each figure. Counts come from the rollups (``models.py``);
``lead_daily_from_source`` computes the same counts from the raw tables (the property
test and the benchmark compare the two)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import roles_of
from portal.core.dates import local_midnight, next_month
from portal.core.money import money
from portal.leads.models import Lead, LeadSource, LeadStatus, LinkVisit
from portal.payouts.models import Commission, CommissionEvent, CommissionStatus
from portal.rewards.models import Redemption, RedemptionStatus

from .models import (
    FunnelDaily,
    LeadDaily,
    LeadFact,
    ReferrerMonth,
    RevenueDaily,
    StepDuration,
    duration_bucket,
)
from .services import local_day

STEPS = ("submitted", "qualified", "won")


@dataclass(frozen=True)
class InsightScope:
    """What a viewer may see: everything (reviewers), their teams' people (managers) or
    their organisation (partner admins)."""

    everything: bool = False
    team_ids: tuple[int, ...] = ()
    organisation_id: int | None = None


@dataclass(frozen=True)
class InsightFilters:
    program_id: int | None = None
    organisation_id: int | None = None
    team_id: int | None = None
    start: date | None = None  # first day, inclusive
    end: date | None = None  # last day, inclusive
    referrer_ids: tuple[int, ...] | None = None  # a referrer profile, resolved to people


def insight_scope(*, user: User) -> InsightScope | None:
    """The viewer's scope, or None when the insight page is not for them. Reviewers see
    every program, managers the people of the teams they manage, partner admins their
    own organisation."""
    roles = roles_of(user=user)
    if Role.REVIEWER in roles:
        return InsightScope(everything=True)
    if Role.MANAGER in roles:
        return InsightScope(team_ids=tuple(user.managed_teams.values_list("pk", flat=True)))
    if Role.PARTNER_ADMIN in roles:
        return InsightScope(organisation_id=user.partner_organisation_id)
    return None


def _people_q(scope: InsightScope, filters: InsightFilters, *, person: str) -> Q:
    """Who the figures are about, through ``person`` (a path to a user: "referrer")."""
    q = Q()
    if not scope.everything:
        if scope.organisation_id is not None:
            q &= Q(**{f"{person}__partner_organisation_id": scope.organisation_id})
        else:
            q &= Q(**{f"{person}__team_id__in": scope.team_ids})
    if filters.organisation_id:
        q &= Q(**{f"{person}__partner_organisation_id": filters.organisation_id})
    if filters.team_id:
        q &= Q(**{f"{person}__team_id": filters.team_id})
    if filters.referrer_ids is not None:
        q &= Q(**{f"{person}_id__in": filters.referrer_ids})
    return q


def _lead_q(scope: InsightScope, filters: InsightFilters) -> Q:
    """For the rollup rows and facts (program, organisation, team, referrer). A lead's
    organisation is its own (as ``leads_visible_to`` reads it), not the referrer's present
    one, and its team is the one its referrer was in when it was submitted."""
    q = Q()
    if not scope.everything:
        if scope.organisation_id is not None:
            q &= Q(organisation_id=scope.organisation_id)
        else:
            q &= Q(team_id__in=scope.team_ids)
    if filters.program_id:
        q &= Q(program_id=filters.program_id)
    if filters.organisation_id:
        q &= Q(organisation_id=filters.organisation_id)
    if filters.team_id:
        q &= Q(team_id=filters.team_id)
    if filters.referrer_ids is not None:
        q &= Q(referrer_id__in=filters.referrer_ids)
    return q


def _without_people(scope: InsightScope, filters: InsightFilters) -> bool:
    """Whether the figures need no person: then ``_lead_q`` names only program,
    organisation and team, and the rollups without the referrer (``FunnelDaily``,
    ``StepDuration``, ``RevenueDaily``) answer them. A referrer profile names people, so
    it reads the per-referrer rows and facts."""
    return filters.referrer_ids is None


def _moments(filters: InsightFilters) -> tuple[datetime | None, datetime | None]:
    """The period as [start, end) aware datetimes in the site time zone."""
    start = local_midnight(filters.start) if filters.start else None
    end = local_midnight(filters.end + timedelta(days=1)) if filters.end else None
    return start, end


def _in_period(path: str, filters: InsightFilters) -> Q:
    start, end = _moments(filters)
    q = Q()
    if start:
        q &= Q(**{f"{path}__gte": start})
    if end:
        q &= Q(**{f"{path}__lt": end})
    return q


def _days(filters: InsightFilters, path: str = "day") -> Q:
    q = Q()
    if filters.start:
        q &= Q(**{f"{path}__gte": filters.start})
    if filters.end:
        q &= Q(**{f"{path}__lte": filters.end})
    return q


# --- Funnel ----------------------------------------------------------------------------


def _rate(part: int, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in per cent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class FunnelRow:
    source: str  # a LeadSource value, or "" for all sources
    label: str
    visits: int | None
    submitted: int
    qualified: int
    won: int
    to_qualify: timedelta | None = None  # median time from submitted to qualified
    to_win: timedelta | None = None  # median time from qualified to won

    @property
    def visit_rate(self) -> Decimal | None:
        return _rate(self.submitted, self.visits)

    @property
    def qualify_rate(self) -> Decimal | None:
        return _rate(self.qualified, self.submitted)

    @property
    def win_rate(self) -> Decimal | None:
        return _rate(self.won, self.qualified)


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    seconds = statistics.median(d.total_seconds() for d in durations)
    return timedelta(seconds=round(seconds))


class _Median(Aggregate):
    """PostgreSQL's median of an interval (percentile_cont), computed where the rows are."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _step_medians(facts: QuerySet[LeadFact]) -> dict[str, dict[str, timedelta | None]]:
    """Source ("" for all) → median time to qualify ("q") and to win ("w"). On PostgreSQL
    the database computes them (a page never loads the period's rows); elsewhere Python."""
    facts = facts.filter(qualified_at__isnull=False)
    out: dict[str, dict[str, timedelta | None]] = defaultdict(lambda: {"q": None, "w": None})
    if connection.vendor == "postgresql":
        to_q = _Median(F("qualified_at") - F("submitted_at"))
        to_w = _Median(F("won_at") - F("qualified_at"), filter=Q(won_at__isnull=False))
        for r in facts.values("source").annotate(q=to_q, w=to_w).order_by():
            out[r["source"]] = {"q": _whole_seconds(r["q"]), "w": _whole_seconds(r["w"])}
        total = facts.aggregate(q=to_q, w=to_w)
        out[""] = {"q": _whole_seconds(total["q"]), "w": _whole_seconds(total["w"])}
        return out
    durations: dict[str, dict[str, list[timedelta]]] = defaultdict(lambda: defaultdict(list))
    for source, submitted_at, qualified_at, won_at in facts.values_list(
        "source", "submitted_at", "qualified_at", "won_at"
    ):
        for key in (source, ""):
            durations[key]["q"].append(qualified_at - submitted_at)  # type: ignore[operator]
            if won_at:
                durations[key]["w"].append(won_at - qualified_at)  # type: ignore[operator]
    for key, d in durations.items():
        out[key] = {"q": _median(d["q"]), "w": _median(d["w"])}
    return out


def _bucket_medians(
    scope: InsightScope, filters: InsightFilters
) -> dict[str, dict[str, timedelta | None]]:
    """``_step_medians`` from the duration buckets (``StepDuration``): the median is the
    average time of the leads of the bucket it falls in (of the two middle ones' buckets
    for an even count): exact when their times are equal, otherwise within the bucket's
    width (15 minutes under a day, an hour under 30 days, a day beyond)."""
    buckets: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(dict)
    for r in (
        StepDuration.objects.filter(_lead_q(scope, filters), _days(filters))
        .values("source", "step", "bucket")
        .annotate(n=Sum("leads"), us=Sum("micros"))
        .order_by()
    ):
        for source in (r["source"], ""):
            b = buckets[(source, r["step"])].setdefault(r["bucket"], [0, 0])
            b[0] += r["n"]
            b[1] += r["us"]
    out: dict[str, dict[str, timedelta | None]] = defaultdict(lambda: {"q": None, "w": None})
    for (source, step), by_bucket in buckets.items():
        out[source]["q" if step == "qualify" else "w"] = _median_of_buckets(by_bucket)
    return out


def _median_of_buckets(by_bucket: dict[int, list[int]]) -> timedelta | None:
    """The median of the durations counted in ``by_bucket`` (bucket → [how many, sum of
    microseconds]), each taken as its bucket's average; whole seconds."""
    total = sum(n for n, _ in by_bucket.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the two middle ones
    values: list[Decimal] = []
    seen = 0
    for bucket in sorted(by_bucket):
        n, micros = by_bucket[bucket]
        while wanted and wanted[0] < seen + n:
            values.append(Decimal(micros) / n)
            wanted.pop(0)
        seen += n
    middle = (values[0] + values[1]) / 2 / 1_000_000
    return timedelta(seconds=round(middle))


def _whole_seconds(value: timedelta | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=round(value.total_seconds()))


def insight_funnel(*, scope: InsightScope, filters: InsightFilters) -> list[FunnelRow]:
    """Link visits → submitted → qualified → won for the leads submitted in the period
    (a cohort), by source, then all sources together (last). Medians of the time each
    lead spent in a step. Visits belong to referral links, so only the link row and the
    total have them; they are not per program."""
    daily = FunnelDaily if _without_people(scope, filters) else LeadDaily
    counts = {
        r["source"]: r
        for r in daily.objects.filter(_lead_q(scope, filters), _days(filters))
        .values("source")
        .annotate(s=Sum("submitted"), q=Sum("qualified"), w=Sum("won"))
    }
    visits = LinkVisit.objects.filter(
        _people_q(scope, filters, person="link__user"), _days(filters)
    ).count()
    if daily is FunnelDaily:
        medians = _bucket_medians(scope, filters)
    else:
        medians = _step_medians(
            LeadFact.objects.filter(_lead_q(scope, filters), _in_period("submitted_at", filters))
        )
    rows: list[FunnelRow] = []
    for source, label in [*LeadSource.choices, ("", "")]:
        if source:
            c = counts.get(source) or {"s": 0, "q": 0, "w": 0}
            s, q, w = c["s"] or 0, c["q"] or 0, c["w"] or 0
        else:
            s, q, w = (
                sum(r.submitted for r in rows),
                sum(r.qualified for r in rows),
                sum(r.won for r in rows),
            )
        rows.append(
            FunnelRow(
                source=source,
                label=str(label),
                visits=visits if source in (LeadSource.LINK, "") else None,
                submitted=s,
                qualified=q,
                won=w,
                to_qualify=medians[source]["q"],
                to_win=medians[source]["w"],
            )
        )
    return rows


# --- Money -----------------------------------------------------------------------------


@dataclass
class MoneyRow:
    currency: str
    revenue: Decimal = Decimal("0.00")
    won: int = 0
    rewards: Decimal = Decimal("0.00")
    commissions: Decimal = Decimal("0.00")  # commissions and employee bonuses paid
    clawbacks: Decimal = Decimal("0.00")  # paid clawbacks: negative

    @property
    def cost(self) -> Decimal:
        return money(self.rewards + self.commissions + self.clawbacks)

    @property
    def roi(self) -> Decimal | None:
        """(revenue − cost) / cost, in per cent; None without cost."""
        if self.cost <= 0:
            return None
        return ((self.revenue - self.cost) * 100 / self.cost).quantize(Decimal("0.1"))

    @property
    def cost_per_won(self) -> Decimal | None:
        return money(self.cost / self.won) if self.won else None


def _won_deals(scope: InsightScope, filters: InsightFilters) -> QuerySet[Any]:
    """Deals won in the period and not reversed, as rows with ``day``, ``currency``,
    ``won`` (how many) and ``revenue``: the day rollup when no person is involved, else
    the facts of the leads in scope (one row each)."""
    if _without_people(scope, filters):
        return RevenueDaily.objects.filter(_lead_q(scope, filters), _days(filters), won__gt=0)
    return (
        LeadFact.objects.filter(
            _lead_q(scope, filters), _in_period("won_at", filters), won_at__isnull=False
        )
        .filter(reversed_at__isnull=True)
        .annotate(
            day=TruncDate("won_at", tzinfo=timezone.get_current_timezone()),
            currency=F("deal_currency"),
            won=Value(1),
            revenue=F("deal_value"),
        )
    )


def insight_money(*, scope: InsightScope, filters: InsightFilters) -> list[MoneyRow]:
    """Revenue and program cost in the period, one row per currency (amounts in different
    currencies are never added up). Revenue: deals won in the period and not reversed.
    Cost: rewards fulfilled in the period at their catalog value, commissions and bonuses
    of payout batches paid in the period, and the clawbacks paid in them (negative).
    Rewards belong to no program: with a program filter they are left out."""
    rows: dict[str, MoneyRow] = {}

    def row(currency: str) -> MoneyRow:
        return rows.setdefault(currency, MoneyRow(currency=currency))

    for won in (
        _won_deals(scope, filters).values("currency").annotate(total=Sum("revenue"), n=Sum("won"))
    ):
        row(won["currency"]).revenue += money(won["total"])
        row(won["currency"]).won += won["n"]
    commission_q = Q(status=CommissionStatus.PAID) & _in_period("batch__paid_at", filters)
    if filters.program_id:
        commission_q &= Q(program_id=filters.program_id)
    lead_scope = _lead_q(scope, InsightFilters(**{**filters.__dict__, "program_id": None}))
    if lead_scope:  # everything, unfiltered: no need to ask which leads
        commission_q &= Q(lead__in=LeadFact.objects.filter(lead_scope).values("lead_id"))
    for paid in (
        Commission.objects.filter(commission_q)
        .values("currency", "event")
        .annotate(total=Sum("amount"))
    ):
        target = row(paid["currency"])
        if paid["event"] == CommissionEvent.CLAWBACK:
            target.clawbacks += money(paid["total"])
        else:
            target.commissions += money(paid["total"])
    if not filters.program_id:
        for fulfilled in (
            Redemption.objects.filter(
                _people_q(scope, filters, person="participant"),
                _in_period("updated_at", filters),
                status=RedemptionStatus.FULFILLED,
                item__value__isnull=False,
            )
            .values("item__value_currency")
            .annotate(total=Sum("item__value"))
        ):
            row(fulfilled["item__value_currency"]).rewards += money(fulfilled["total"])
    return [rows[c] for c in sorted(rows)]


# --- The leads behind a figure ---------------------------------------------------------


def insight_leads(
    *,
    user: User,
    scope: InsightScope,
    filters: InsightFilters,
    step: str,
    source: str = "",
    currency: str = "",
) -> QuerySet[Lead]:
    """The leads counted in one figure: ``step`` is submitted, qualified or won (the
    funnel's cohort) or revenue (won in the period, not reversed, in ``currency``)."""
    facts = LeadFact.objects.filter(_lead_q(scope, filters))
    if step == "revenue":
        facts = facts.filter(
            _in_period("won_at", filters),
            won_at__isnull=False,
            reversed_at__isnull=True,
            deal_currency=currency,
        )
    else:
        facts = facts.filter(_in_period("submitted_at", filters))
        if step == "qualified":
            facts = facts.filter(qualified_at__isnull=False)
        elif step == "won":
            facts = facts.filter(won_at__isnull=False)
        elif step != "submitted":
            return Lead.objects.none()
    if source:
        facts = facts.filter(source=source)
    return (
        Lead.objects.filter(pk__in=facts.values("lead_id"))
        .select_related("program", "referrer", "organisation")
        .order_by("-submitted_at", "-pk")
    )


def insight_leads_count(
    *, scope: InsightScope, filters: InsightFilters, step: str, source: str = "", currency: str = ""
) -> int | None:
    """How many leads ``insight_leads`` lists, read from the rollups (the figure the page
    showed), or None when only the facts can tell (a referrer profile)."""
    if not _without_people(scope, filters):
        return None
    if step == "revenue":
        won = RevenueDaily.objects.filter(_lead_q(scope, filters), _days(filters))
        return won.filter(currency=currency).aggregate(n=Sum("won"))["n"] or 0
    if step not in STEPS:
        return 0
    cohort = FunnelDaily.objects.filter(_lead_q(scope, filters), _days(filters))
    if source:
        cohort = cohort.filter(source=source)
    return cohort.aggregate(n=Sum(step))["n"] or 0


# --- The same counts from the raw tables ----------------------------------------------

DailyKey = tuple[int, date, int, str]


def _steps_reached() -> dict[int, dict[str, datetime]]:
    """Lead → status (qualified, won) → when it first reached it, from the audit trail."""
    from django.contrib.contenttypes.models import ContentType

    from portal.audit.models import AuditEvent

    reached: dict[int, dict[str, datetime]] = defaultdict(dict)
    for target_id, state, at in AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(Lead),
        action__startswith="lead.",
        to_state__in=[LeadStatus.QUALIFIED, LeadStatus.WON],
    ).values_list("target_id", "to_state", "created_at"):
        first = reached[int(target_id)].get(state)
        if first is None or at < first:
            reached[int(target_id)][state] = at
    return reached


def lead_daily_from_source() -> dict[DailyKey, tuple[int, int, int, int]]:
    """(referrer, day, program, source) → (submitted, qualified, won, reversed), computed
    from the leads and their audit trail, as a rebuild would: what the rollups must equal."""
    reached = _steps_reached()
    out: dict[DailyKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for pk, referrer, submitted_at, program, source, reversed_at in Lead.objects.values_list(
        "pk", "referrer_id", "submitted_at", "program_id", "source", "deal_reversed_at"
    ):
        c = out[(referrer, local_day(submitted_at), program, source)]
        c[0] += 1
        c[1] += LeadStatus.QUALIFIED in reached[pk]
        c[2] += LeadStatus.WON in reached[pk]
        c[3] += reversed_at is not None
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


FunnelKey = tuple[date, int, str, int | None, int | None]  # day, program, source, org, team
RevenueKey = tuple[date, int, int | None, str, int | None]  # day, program, org, currency, team


def coarse_from_source() -> tuple[
    dict[FunnelKey, tuple[int, int, int, int]], dict[RevenueKey, tuple[int, Decimal]]
]:
    """What ``FunnelDaily`` and ``RevenueDaily`` must hold, from the leads and their audit
    trail in Python: (day submitted, program, source, organisation, team) → (submitted,
    qualified, won, reversed), and (day won, program, organisation, currency, team) →
    (deals won and not reversed, their value). The team is the referrer's present one (no
    history records an earlier one: equal as long as nobody changed teams)."""
    reached = _steps_reached()
    teams = dict(User.objects.values_list("pk", "team_id"))
    funnel: dict[FunnelKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    revenue: dict[RevenueKey, list[Any]] = defaultdict(lambda: [0, Decimal("0.00")])
    for lead in Lead.objects.order_by():
        steps = reached[lead.pk]
        team = teams[lead.referrer_id]
        c = funnel[
            (
                local_day(lead.submitted_at),
                lead.program_id,
                lead.source,
                lead.organisation_id,
                team,
            )
        ]
        c[0] += 1
        c[1] += LeadStatus.QUALIFIED in steps
        c[2] += LeadStatus.WON in steps
        c[3] += lead.deal_reversed_at is not None
        won_at = steps.get(LeadStatus.WON)
        if won_at is not None and lead.deal_reversed_at is None:
            r = revenue[
                (
                    local_day(won_at),
                    lead.program_id,
                    lead.organisation_id,
                    lead.deal_currency,
                    team,
                )
            ]
            r[0] += 1
            r[1] += lead.deal_value
    return (
        {k: (v[0], v[1], v[2], v[3]) for k, v in funnel.items()},
        {k: (v[0], money(v[1])) for k, v in revenue.items()},
    )


def coarse_rollups() -> tuple[
    dict[FunnelKey, tuple[int, int, int, int]], dict[RevenueKey, tuple[int, Decimal]]
]:
    """The ``FunnelDaily`` and ``RevenueDaily`` rows in the shape of ``coarse_from_source``
    (rows that count nothing left out)."""
    funnel = {
        (r.day, r.program_id, r.source, r.organisation_id, r.team_id): (
            r.submitted,
            r.qualified,
            r.won,
            r.reversed,
        )
        for r in FunnelDaily.objects.all()
        if r.submitted
    }
    revenue = {
        (r.day, r.program_id, r.organisation_id, r.currency, r.team_id): (r.won, r.revenue)
        for r in RevenueDaily.objects.all()
        if r.won
    }
    return funnel, revenue


DurationKey = tuple[date, int, str, int | None, int | None, str, int]


def durations_from_facts() -> dict[DurationKey, tuple[int, int]]:
    """What ``StepDuration`` must hold, from the lead facts in Python: (day submitted,
    program, source, organisation, team, step, bucket) → (leads, sum of microseconds)."""
    out: dict[DurationKey, list[int]] = defaultdict(lambda: [0, 0])
    for f in LeadFact.objects.filter(qualified_at__isnull=False).order_by():
        key = (local_day(f.submitted_at), f.program_id, f.source, f.organisation_id, f.team_id)
        spans: list[tuple[str, Any, Any]] = [("qualify", f.submitted_at, f.qualified_at)]
        if f.won_at is not None:
            spans.append(("win", f.qualified_at, f.won_at))
        for step, since, until in spans:
            micros = (until - since) // timedelta(microseconds=1)
            c = out[(*key, step, duration_bucket(micros))]
            c[0] += 1
            c[1] += micros
    return {k: (v[0], v[1]) for k, v in out.items()}


def durations_rollup() -> dict[DurationKey, tuple[int, int]]:
    """The ``StepDuration`` rows in the shape of ``durations_from_facts``."""
    return {
        (r.day, r.program_id, r.source, r.organisation_id, r.team_id, r.step, r.bucket): (
            r.leads,
            r.micros,
        )
        for r in StepDuration.objects.all()
        if r.leads
    }


def lead_daily_rollup() -> dict[DailyKey, tuple[int, int, int, int]]:
    """The rollup rows in the shape of ``lead_daily_from_source`` (empty rows left out)."""
    return {
        (r.referrer_id, r.day, r.program_id, r.source): (
            r.submitted,
            r.qualified,
            r.won,
            r.reversed,
        )
        for r in LeadDaily.objects.all()
        if r.submitted
    }


def today() -> date:
    return timezone.localdate()


# --- Partner health --------------------------------------------------------------------


@dataclass
class PartnerHealth:
    organisation: PartnerOrganisation
    last_submission: date | None
    current: int  # leads in the last INSIGHT_HEALTH_PERIOD_DAYS days
    previous: int  # leads in the period before that
    quiet_days: int | None  # days since the last submission (None: never)

    @property
    def quiet(self) -> bool:
        return self.quiet_days is None or self.quiet_days >= settings.INSIGHT_QUIET_DAYS

    @property
    def dropped(self) -> bool:
        """The count fell by INSIGHT_DROP_PERCENT or more against the previous period."""
        return self.previous > 0 and (self.previous - self.current) * 100 >= (
            self.previous * settings.INSIGHT_DROP_PERCENT
        )


def partner_health(*, scope: InsightScope, on: date) -> list[PartnerHealth]:
    """Active partner organisations in scope that need attention on day ``on``: no
    submission in INSIGHT_QUIET_DAYS days, or a count that fell by INSIGHT_DROP_PERCENT or
    more against their own previous period (INSIGHT_HEALTH_PERIOD_DAYS days each)."""
    if scope.everything:
        organisations = PartnerOrganisation.objects.filter(status="active")
    elif scope.organisation_id is not None:
        organisations = PartnerOrganisation.objects.filter(pk=scope.organisation_id)
    else:
        return []
    days = settings.INSIGHT_HEALTH_PERIOD_DAYS
    current_from = on - timedelta(days=days - 1)
    previous_from = current_from - timedelta(days=days)
    rows = FunnelDaily.objects.filter(organisation__in=organisations, submitted__gt=0)
    stats: dict[int, dict[str, Any]] = {
        r["organisation_id"]: dict(r)
        for r in rows.filter(day__gte=previous_from)
        .values("organisation_id")
        .annotate(
            last=Max("day"),
            current=Sum("submitted", filter=Q(day__gte=current_from, day__lte=on)),
            previous=Sum("submitted", filter=Q(day__lt=current_from)),
        )
    }
    listed = list(organisations.only("pk", "name", "status").order_by("name"))
    # The last submission of those with none in the two periods: further back, if ever.
    if missing := [org.pk for org in listed if org.pk not in stats]:
        for back in (
            rows.filter(day__lt=previous_from, organisation_id__in=missing)
            .values("organisation_id")
            .annotate(last=Max("day"))
        ):
            stats[back["organisation_id"]] = dict(back)
    out = []
    for org in listed:
        r: dict[str, Any] = dict(stats.get(org.pk) or {})
        last = r.get("last")
        health = PartnerHealth(
            organisation=org,
            last_submission=last,
            current=r.get("current") or 0,
            previous=r.get("previous") or 0,
            quiet_days=(on - last).days if last else None,
        )
        if health.quiet or health.dropped:
            out.append(health)
    return out


# --- Referrer profiles -----------------------------------------------------------------

PROFILES = ("salesperson", "maven", "connector")


@dataclass
class ReferrerProfile:
    referrer_id: int
    referrer: User | None  # loaded for the profiles a page names (``named``)
    leads: int
    won: int
    average_deal: Decimal | None
    currency: str
    kind: str  # one of PROFILES, or ""

    @property
    def won_rate(self) -> Decimal:
        return _rate(self.won, self.leads) or Decimal("0.0")


def profile_of(*, leads: int, won: int, average_deal: Decimal | None) -> str:
    """Salesperson (high deal values), maven (few leads, high conversion) or connector
    (many leads); the first that fits, in that order; "" for none. Thresholds are the
    INSIGHT_* settings."""
    if average_deal is not None and average_deal >= settings.INSIGHT_SALESPERSON_MIN_AVERAGE_DEAL:
        return "salesperson"
    if (
        0 < leads <= settings.INSIGHT_MAVEN_MAX_LEADS
        and won * 100 >= leads * settings.INSIGHT_MAVEN_MIN_WON_PERCENT
    ):
        return "maven"
    if leads >= settings.INSIGHT_CONNECTOR_MIN_LEADS:
        return "connector"
    return ""


def _profile_counts(scope: InsightScope, filters: InsightFilters) -> QuerySet[Any]:
    """Each referrer's leads (``n``) and won deals net of reversals (``w``) in scope and
    period, from the per-referrer day rows."""
    return (
        LeadDaily.objects.filter(_lead_q(scope, filters), _days(filters))
        .values("referrer_id")
        .annotate(n=Sum("submitted"), w=Sum("won") - Sum("reversed"))
    )


def _month_parts(
    filters: InsightFilters,
) -> tuple[list[date], list[tuple[date, date]], list[tuple[date, date]]] | None:
    """The period as whole months (``ReferrerMonth``), plus day ranges to add and day
    ranges to take away (``LeadDaily``): a month the period covers partly is read as its
    days in the period or as the whole month less its days outside, whichever are fewer.
    None for a period with one end open (read the day rows); all months for all time."""
    if filters.start is None and filters.end is None:
        return [], [], []
    if filters.start is None or filters.end is None or filters.start > filters.end:
        return None
    months: list[date] = []
    plus: list[tuple[date, date]] = []
    minus: list[tuple[date, date]] = []
    first = filters.start.replace(day=1)
    while first <= filters.end:
        following = next_month(first)
        last = following - timedelta(days=1)
        lo, hi = max(filters.start, first), min(filters.end, last)
        inside = (hi - lo).days + 1
        if inside * 2 <= (last - first).days + 1 and (lo, hi) != (first, last):
            plus.append((lo, hi))
        else:
            months.append(first)
            if lo > first:
                minus.append((first, lo - timedelta(days=1)))
            if hi < last:
                minus.append((hi + timedelta(days=1), last))
        first = following
    return months, plus, minus


def _profile_count_rows(
    scope: InsightScope, filters: InsightFilters, *, rows: int | None
) -> list[dict[str, Any]]:
    """``_profile_counts`` most leads first (then by referrer), the first ``rows`` of
    them (all when None), each with ``total``: how many referrers there are in all. Whole
    months come from ``ReferrerMonth`` (without a program filter), so a period reads one
    row per referrer and month instead of one per referrer and day."""
    parts = None if filters.program_id else _month_parts(filters)
    if parts is None:
        counts = _profile_counts(scope, filters).annotate(
            total=Window(expression=Count("referrer_id"))  # the referrers in all, in one query
        )
        ordered = counts.order_by("-n", "referrer_id")
        return list(ordered if rows is None else ordered[:rows])
    months, plus, minus = parts
    q = _lead_q(scope, filters)

    def signed(qs: QuerySet[Any], sign: int) -> tuple[str, tuple]:
        return (
            qs.annotate(n=F("submitted") * sign, w=(F("won") - F("reversed")) * sign)
            .values_list("referrer_id", "n", "w")
            .order_by()
            .query.sql_with_params()
        )

    def days(ranges: list[tuple[date, date]]) -> Q:
        any_day = Q()
        for lo, hi in ranges:
            any_day |= Q(day__gte=lo, day__lte=hi)
        return any_day

    selects = []
    if months or (not plus and not minus):
        whole = ReferrerMonth.objects.filter(q)
        selects.append(signed(whole.filter(month__in=months) if months else whole, 1))
    if plus:
        selects.append(signed(LeadDaily.objects.filter(q, days(plus)), 1))
    if minus:
        selects.append(signed(LeadDaily.objects.filter(q, days(minus)), -1))
    union = " UNION ALL ".join(sql for sql, _ in selects)
    params: list[Any] = [p for _, ps in selects for p in ps]
    limit = ""
    if rows is not None:
        limit = " LIMIT %s"
        params.append(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT referrer_id, SUM(n), SUM(w), COUNT(*) OVER () "  # noqa: S608
            f"FROM ({union}) parts GROUP BY referrer_id HAVING SUM(n) > 0 "
            f"ORDER BY 2 DESC, 1{limit}",
            params,
        )
        return [
            {"referrer_id": r, "n": int(n), "w": int(w), "total": t}
            for r, n, w, t in cursor.fetchall()
        ]


def _profiles_of(
    scope: InsightScope, filters: InsightFilters, counts: list[dict[str, Any]], *, some: bool
) -> list[ReferrerProfile]:
    """Classify the referrers of ``counts`` (in that order): their average won deal from
    the facts (of these referrers only when ``some``)."""
    deals_q = Q(referrer_id__in=[c["referrer_id"] for c in counts]) if some else Q()
    deals = {
        r["referrer_id"]: r
        for r in LeadFact.objects.filter(
            deals_q,
            _lead_q(scope, filters),
            _in_period("submitted_at", filters),
            won_at__isnull=False,
            reversed_at__isnull=True,
        )
        .values("referrer_id")
        .annotate(avg=Avg("deal_value"), currency=Max("deal_currency"))
    }
    out = []
    for c in counts:
        pk = c["referrer_id"]
        d: dict[str, Any] = dict(deals.get(pk) or {})
        average = money(d["avg"]) if d.get("avg") is not None else None
        leads, won = c["n"] or 0, max(c["w"] or 0, 0)
        out.append(
            ReferrerProfile(
                referrer_id=pk,
                referrer=None,
                leads=leads,
                won=won,
                average_deal=average,
                currency=d.get("currency") or "",
                kind=profile_of(leads=leads, won=won, average_deal=average),
            )
        )
    return out


def referrer_profiles(
    *, scope: InsightScope, filters: InsightFilters, named: int | None = None
) -> list[ReferrerProfile]:
    """Every referrer with leads in scope and period, classified, most leads first; the
    person is loaded for the first ``named`` of them (all when None)."""
    unfiltered = InsightFilters(**{**filters.__dict__, "referrer_ids": None})
    counts = _profile_count_rows(scope, unfiltered, rows=None)
    out = _profiles_of(scope, unfiltered, counts, some=False)
    out.sort(key=lambda p: (-p.leads, p.referrer_id))
    shown = out if named is None else out[:named]
    people = User.objects.in_bulk([p.referrer_id for p in shown])
    for p in shown:
        p.referrer = people[p.referrer_id]
    return out


def referrer_profiles_first(
    *, scope: InsightScope, filters: InsightFilters, rows: int
) -> tuple[list[ReferrerProfile], int]:
    """The first ``rows`` of ``referrer_profiles`` (people loaded) and how many there are
    in all: what a page shows. The database sorts and cuts, so a page with tens of
    thousands of referrers loads ``rows`` of them."""
    unfiltered = InsightFilters(**{**filters.__dict__, "referrer_ids": None})
    first = _profile_count_rows(scope, unfiltered, rows=rows)
    total = first[0]["total"] if first else 0
    out = _profiles_of(scope, unfiltered, first, some=True)
    people = User.objects.in_bulk([p.referrer_id for p in out])
    for p in out:
        p.referrer = people[p.referrer_id]
    return out, total


CONTEST_PROFILE_DAYS = 365


def contest_profile_members(*, kind: str, before: datetime) -> tuple[int, ...]:
    """Who had referrer profile ``kind`` over the CONTEST_PROFILE_DAYS days before
    ``before`` (a contest's start), everyone in scope: the contest rule "a referrer
    profile" (registered with the boards in ``apps.py``)."""
    last = local_day(before) - timedelta(days=1)
    filters = InsightFilters(start=last - timedelta(days=CONTEST_PROFILE_DAYS - 1), end=last)
    return referrers_with_profile(scope=InsightScope(everything=True), filters=filters, kind=kind)


def referrers_with_profile(
    *, scope: InsightScope, filters: InsightFilters, kind: str
) -> tuple[int, ...]:
    """The referrers of one profile (the page's profile filter)."""
    return tuple(
        p.referrer_id
        for p in referrer_profiles(scope=scope, filters=filters, named=0)
        if p.kind == kind
    )


# --- Money over time -------------------------------------------------------------------


def revenue_over_time(
    *, scope: InsightScope, filters: InsightFilters
) -> dict[str, list[tuple[date, Decimal]]]:
    """Revenue from deals won in the period and not reversed, per currency, in weeks when
    the period is 92 days or shorter and in months otherwise (first day of each bucket,
    oldest first; every bucket of the period, those without a deal at zero; all time
    shows at least six months). Reads the won-day rollup (or, for people, the facts)."""
    from django.db.models.functions import TruncMonth, TruncWeek

    start, end = filters.start, filters.end
    weekly = start is not None and (end or today()) - start <= timedelta(days=92)
    trunc = TruncWeek if weekly else TruncMonth
    rows = (
        _won_deals(scope, filters)
        .annotate(bucket=trunc("day"))
        .values("currency", "bucket")
        .annotate(total=Sum("revenue"))
        .order_by("currency", "bucket")
    )
    found: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for r in rows:
        bucket = r["bucket"]
        day = bucket.date() if isinstance(bucket, datetime) else bucket
        found[r["currency"]][day] = money(r["total"])
    # Every bucket of the period, empty ones at zero (all time: at least six months).
    last = end or today()
    buckets: list[date]
    if weekly and start is not None:
        first = start - timedelta(days=start.weekday())
        buckets = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    else:
        earliest = min((d for days in found.values() for d in days), default=last)
        six_months = last.replace(day=1)
        for _ in range(5):
            six_months = (six_months - timedelta(days=1)).replace(day=1)
        first = (start or min(earliest, six_months)).replace(day=1)
        buckets = [first]
        while (following := next_month(buckets[-1])) <= last:
            buckets.append(following)
    return {
        currency: [(b, days.get(b, Decimal("0.00"))) for b in buckets]
        for currency, days in sorted(found.items())
    }
