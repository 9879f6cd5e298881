# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of points, tiers, badges, the catalog and redemptions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, has_role
from portal.leads.models import Lead, LeadStatus, Program

from .models import (
    DEFAULT_POINTS,
    Badge,
    BadgeAward,
    BadgeCriterion,
    Beneficiary,
    LedgerEntry,
    Milestone,
    PointRule,
    PointsAccount,
    Raffle,
    Redemption,
    RewardCode,
    RewardItem,
    RewardKind,
    Tier,
    TierStatus,
)

TIER_PERIOD_DAYS = 365
SPENDING_EVENTS = ("redemption", "redemption.refund", "raffle.ticket")


def catalog_for(*, user: Viewer, program: Program | None = None) -> QuerySet[RewardItem]:
    """The active reward items, with their eligible tiers, programs and images (every
    participant sees the catalog; eligibility is marked by ``catalog_with_eligibility``).
    With a program: that program's catalog, i.e. its own items and the items shared with
    every program (no program chosen)."""
    qs = (
        RewardItem.objects.filter(is_active=True)
        .prefetch_related("eligible_tiers", "programs")
        .select_related("image")
    )
    if raffles_closed_to(user=user):
        qs = qs.exclude(kind=RewardKind.RAFFLE_TICKET)
    if program is not None:
        qs = qs.filter(Q(programs=program) | Q(programs__isnull=True)).distinct()
    return qs


def raffles_closed_to(*, user: Viewer) -> bool:
    """Customers take no part in raffles: raffles are the program's own people's (a
    customer sees only their own link, points and rewards, and a raffle page lists every
    entrant). No entries from their referrals, no tickets in their catalog. Read only."""
    return has_role(user=user, roles=(Role.CUSTOMER,))


def catalog_programs(*, user: Viewer) -> QuerySet[Program]:
    """The enabled programs that have a catalog of their own (at least one active item
    only for them), for the catalog's program filter. Read only."""
    return (
        Program.objects.filter(is_enabled=True, reward_items__is_active=True)
        .distinct()
        .order_by("name")
    )


def vouchers_to_issue(*, user: User) -> QuerySet[Redemption]:
    """Finance's voucher list: fulfilled voucher and gift card redemptions, newest first.
    Finance only (others get none)."""
    if not has_role(user=user, roles=(Role.FINANCE,)):
        return Redemption.objects.none()
    return (
        Redemption.objects.filter(status="fulfilled", item__kind__in=["voucher", "gift_card"])
        .select_related("item", "participant", "participant__partner_organisation")
        .order_by("-updated_at", "-pk")
    )


def reward_codes_of(*, participant: User) -> QuerySet[RewardCode]:
    """A participant's own store credit and discount codes, newest first. Read only."""
    return RewardCode.objects.filter(participant=participant).select_related("redemption__item")


def redemptions_visible_to(*, user: User) -> QuerySet[Redemption]:
    """Reviewers see every redemption; anyone else only their own (a partner never sees
    an employee's, nor the other way round)."""
    qs = Redemption.objects.select_related("item", "participant")
    if has_role(user=user, roles=(Role.REVIEWER,)):
        return qs
    return qs.filter(participant=user)


def raffles_visible_to(*, user: Viewer) -> QuerySet[Raffle]:
    """Raffles that have started (open or drawn), for every participant."""
    return Raffle.objects.filter(starts_at__lte=timezone.now())


def balance_of(*, participant: User) -> int:
    """The participant's cached points balance (0 without an account). Read only."""
    account = PointsAccount.objects.filter(participant=participant).first()
    return account.balance if account else 0


def ledger_sum(*, participant: User) -> int:
    """The sum of the participant's ledger: what the cached balance must equal."""
    return LedgerEntry.objects.filter(participant=participant).aggregate(s=Sum("amount"))["s"] or 0


def points_for(*, program: Program, event: str) -> dict[str, int]:
    """Points per beneficiary for a lead event: the program's rules, or the defaults.
    Read only."""
    rules = list(PointRule.objects.filter(program=program))  # one query: any rule at all?
    if not rules:
        return {Beneficiary.REFERRER: DEFAULT_POINTS[event]}
    return {r.beneficiary: r.points for r in rules if r.event == event}


def lead_beneficiaries(*, lead: Lead, beneficiary: str) -> list[User]:
    """Who earns a lead's points for one beneficiary rule: the referrer, or (two-sided
    programs) the referred prospect when they are a participant themselves."""
    if beneficiary == Beneficiary.REFERRER:
        return [lead.referrer]
    if not lead.program.two_sided or not lead.email_normalised:
        return []
    referred = (
        User.objects.filter(email__iexact=lead.email_normalised, is_active=True)
        .exclude(pk=lead.referrer_id)
        .first()
    )
    return [referred] if referred else []


def earned_points(*, participant: User, program: Program, at: datetime | None = None) -> int:
    """Points earned (not spent) in the program over the tier period ending at ``at``."""
    at = at or timezone.now()
    return (
        LedgerEntry.objects.filter(
            participant=participant,
            program=program,
            created_at__gt=at - timedelta(days=TIER_PERIOD_DAYS),
            created_at__lte=at,
        )
        .exclude(event__in=SPENDING_EVENTS)
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )


def tier_for_points(*, program: Program, points: int) -> Tier | None:
    """The highest tier of the program whose threshold ``points`` reach, or None."""
    return (
        Tier.objects.filter(program=program, threshold__lte=points).order_by("-threshold").first()
    )


def tier_progress(*, participant: User, program: Program) -> dict[str, Any]:
    """The participant's rolling points in the program, current and next tier, and the
    percentage of the way there. Read only."""
    points = earned_points(participant=participant, program=program)
    tiers = list(Tier.objects.filter(program=program).order_by("threshold"))
    current = next((t for t in reversed(tiers) if t.threshold <= points), None)
    following = next((t for t in tiers if t.threshold > points), None)
    floor = current.threshold if current else 0
    percent = (
        100
        if following is None
        else int(100 * (points - floor) / max(1, following.threshold - floor))
    )
    percent = max(0, min(100, percent))
    return {
        "program": program,
        "points": points,
        "tier": current,
        "next": following,
        "to_next": following.threshold - points if following else 0,
        "percent": percent,
        "tiers": tiers,
    }


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def referral_streak_weeks(
    *, participant: User, today: date | None = None, longest: int = 60
) -> int:
    """Consecutive weeks (Monday to Sunday, site time zone) with at least one referral,
    counting back from this week (or last week, when none yet this week). Looks back at
    most ``longest`` weeks, and reads one row per week (the database groups them)."""
    found = referral_streaks(participant_ids=[participant.pk], today=today, longest=longest)
    return found.get(participant.pk, 0)


def referral_streaks(
    *, participant_ids: Iterable[int], today: date | None = None, longest: int = 60
) -> dict[int, int]:
    """``referral_streak_weeks`` of each participant (absent: none), in one query: one row
    per participant and week."""
    today = today or timezone.localdate()
    this_week = _week_start(today)
    since = timezone.make_aware(datetime.combine(this_week - timedelta(weeks=longest), time.min))
    weeks: dict[int, set[date]] = {}
    for referrer, week in (
        Lead.objects.filter(referrer_id__in=list(participant_ids), submitted_at__gte=since)
        .exclude(status__in=[LeadStatus.REJECTED, LeadStatus.WITHDRAWN])
        .annotate(week=Trunc("submitted_at", "week", output_field=DateField()))
        .order_by()
        .values_list("referrer_id", "week")
        .distinct()
    ):
        weeks.setdefault(referrer, set()).add(week)
    streaks = {}
    for referrer, theirs in weeks.items():
        week = this_week if this_week in theirs else this_week - timedelta(weeks=1)
        streak = 0
        while week in theirs:
            streak += 1
            week -= timedelta(weeks=1)
        streaks[referrer] = streak
    return streaks


def badge_criterion_count(*, participant: User, criterion: str, threshold: int = 60) -> int:
    """The participant's figure for a count-based badge criterion."""
    found = badge_criterion_counts(
        participant_ids=[participant.pk], criterion=criterion, threshold=threshold
    )
    return found.get(participant.pk, 0)


def badge_criterion_counts(
    *, participant_ids: Iterable[int], criterion: str, threshold: int = 60
) -> dict[int, int]:
    """``badge_criterion_count`` of each participant (absent: 0), in one query. A streak
    is read ``threshold`` + 1 weeks back at most."""
    ids = list(participant_ids)
    if criterion == BadgeCriterion.STREAK_WEEKS:
        return referral_streaks(participant_ids=ids, longest=threshold + 1)
    leads = Lead.objects.filter(referrer_id__in=ids)
    if criterion == BadgeCriterion.SUBMITTED:
        leads = leads.exclude(status__in=[LeadStatus.REJECTED, LeadStatus.WITHDRAWN])
    elif criterion == BadgeCriterion.QUALIFIED:
        leads = leads.filter(status__in=[LeadStatus.QUALIFIED, LeadStatus.WON])
    elif criterion == BadgeCriterion.WON:
        leads = leads.filter(status=LeadStatus.WON)
    else:
        return {}
    return dict(
        leads.order_by()
        .values("referrer_id")
        .annotate(n=Count("pk"))
        .values_list("referrer_id", "n")
    )


def participant_tier_ids(*, participant: User) -> set[int]:
    """Ids of the tiers the participant holds now, one per program."""
    return set(
        TierStatus.objects.filter(participant=participant, tier__isnull=False).values_list(
            "tier_id", flat=True
        )
    )


def reward_eligible(*, item: RewardItem, participant: User) -> bool:
    """Whether the participant's tiers allow the item (an item without tiers is for all)."""
    allowed = set(item.eligible_tiers.values_list("pk", flat=True))
    return not allowed or bool(allowed & participant_tier_ids(participant=participant))


def milestone_progress(*, participant: User, program: Program) -> dict[str, Any] | None:
    """The next milestone of the program the participant has not reached, with their
    qualified count and percentage; None when none is left. Read only."""
    qualified = Lead.objects.filter(
        referrer=participant, program=program, status__in=[LeadStatus.QUALIFIED, LeadStatus.WON]
    ).count()
    upcoming = (
        Milestone.objects.filter(program=program, qualified_count__gt=qualified)
        .select_related("reward")
        .first()
    )
    if upcoming is None:
        return None
    return {
        "qualified": qualified,
        "milestone": upcoming,
        "percent": int(100 * qualified / upcoming.qualified_count),
    }


def catalog_with_eligibility(*, participant: User, items: Iterable[RewardItem]) -> list[RewardItem]:
    """Mark each catalog item with whether this participant may (``eligible``) and can
    afford (``affordable``) it. Read only."""
    tiers = participant_tier_ids(participant=participant)
    balance = balance_of(participant=participant)
    items = list(items)
    for item in items:
        allowed = {t.pk for t in item.eligible_tiers.all()}
        item.eligible = not allowed or bool(allowed & tiers)
        item.affordable = balance >= item.points_price
        item.points_needed = max(0, item.points_price - balance)
    return items


def badge_board(*, participant: User) -> list[dict[str, Any]]:
    """Every badge, with the participant's award of it or None."""
    awards = {a.badge_id: a for a in BadgeAward.objects.filter(participant=participant)}
    return [{"badge": b, "award": awards.get(b.pk)} for b in Badge.objects.all()]


def participant_summary(*, participant: User) -> dict[str, Any]:
    """The rewards page and dashboard card: balance, tiers, milestones, badges and the
    latest ledger entries. Read only."""
    programs = Program.objects.filter(Q(tiers__isnull=False)).distinct()
    return {
        "balance": balance_of(participant=participant),
        "tiers": [tier_progress(participant=participant, program=p) for p in programs],
        "milestones": [
            m
            for p in Program.objects.filter(milestones__isnull=False).distinct()
            if (m := milestone_progress(participant=participant, program=p))
        ],
        "badges": badge_board(participant=participant),
        "recent": LedgerEntry.objects.filter(participant=participant)[:8],
    }
