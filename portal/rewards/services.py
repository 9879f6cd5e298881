"""Points, tiers, badges, rewards, milestones and welcome offers (SPEC §4–5).

``lead_event_apply`` is called by the lead services inside their transaction, so an
award commits or rolls back with the lead's change. Every balance change happens under
the participant's ``PointsAccount`` row lock, together with its ledger entry.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.dates import month_bounds
from portal.leads.models import Lead, LeadStatus, Program
from portal.notifications.services import notify
from portal.webhooks.services import event_emit

from .models import (
    DEFAULT_POINTS,
    Badge,
    BadgeAward,
    BadgeCriterion,
    Beneficiary,
    LeadEvent,
    LedgerEntry,
    Milestone,
    OfferCode,
    PointRule,
    PointsAccount,
    Redemption,
    RedemptionStatus,
    RewardItem,
    Tier,
    TierChange,
    TierStatus,
)

TIER_PERIOD_DAYS = 365
SPENDING_EVENTS = ("redemption", "redemption.refund", "raffle.ticket")


# --- Ledger ---------------------------------------------------------------------------


def _account_locked(participant: User) -> PointsAccount:
    PointsAccount.objects.get_or_create(participant=participant)
    return PointsAccount.objects.select_for_update().get(participant=participant)


def ledger_add(
    *,
    participant: User,
    amount: int,
    event: str,
    reason: str,
    program: Program | None = None,
    lead: Lead | None = None,
    redemption: Redemption | None = None,
) -> LedgerEntry | None:
    """Append one entry and move the cached balance with it. Returns None when this
    (lead, event, participant) or (redemption, event) already has its entry."""
    with transaction.atomic():
        account = _account_locked(participant)
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    participant=participant,
                    program=program,
                    amount=amount,
                    event=event,
                    reason=reason,
                    lead=lead,
                    redemption=redemption,
                )
        except IntegrityError:
            return None  # idempotent: the award exists already
        account.balance += amount
        account.save(update_fields=["balance"])
        from leaderboard.services import board_entry_committed

        # Boards move only once the entry is durable: a rollback pushes nothing.
        transaction.on_commit(lambda: board_entry_committed(entry_id=entry.pk))
    return entry


def balance_of(participant: User) -> int:
    account = PointsAccount.objects.filter(participant=participant).first()
    return account.balance if account else 0


def ledger_sum(participant: User) -> int:
    return LedgerEntry.objects.filter(participant=participant).aggregate(s=Sum("amount"))["s"] or 0


def points_for(program: Program, event: str) -> dict[str, int]:
    """Points per beneficiary for a lead event: the program's rules, or the defaults."""
    rules = {
        r.beneficiary: r.points for r in PointRule.objects.filter(program=program, event=event)
    }
    if not PointRule.objects.filter(program=program).exists():
        rules = {Beneficiary.REFERRER: DEFAULT_POINTS[event]}
    return rules


def _beneficiaries(lead: Lead, beneficiary: str) -> list[User]:
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


def lead_event_apply(*, lead: Lead, event: str) -> None:
    """Award points for a lead event, then tiers, badges, milestones and offers.
    Call inside the lead service's transaction."""
    if event == "reversed":
        _reverse_lead_awards(lead)
    elif event == "won_reversed":
        _reverse_lead_awards(lead, events=[LeadEvent.WON])
    elif event in LeadEvent.values:
        for beneficiary, amount in points_for(lead.program, event).items():
            for participant in _beneficiaries(lead, beneficiary):
                if amount:
                    ledger_add(
                        participant=participant,
                        amount=amount,
                        event=event,
                        program=lead.program,
                        lead=lead,
                        reason=_("%(event)s: lead #%(id)s")
                        % {"event": LeadEvent(event).label, "id": lead.pk},
                    )
        if event == LeadEvent.QUALIFIED:
            milestones_grant(participant=lead.referrer, program=lead.program)
            if lead.program.two_sided:
                offer_code_issue(lead=lead)
    tier_recompute(
        participant=lead.referrer, program=lead.program, reason=_("Lead #%(id)s") % {"id": lead.pk}
    )
    if event in EVENT_CRITERIA:
        badges_evaluate(participant=lead.referrer, criteria=EVENT_CRITERIA[event])


def _reverse_lead_awards(lead: Lead, events: list[str] | None = None) -> None:
    """A rejected or withdrawn lead (or a reversed deal) takes back what it earned, as
    negative entries."""
    earned = (
        LedgerEntry.objects.filter(lead=lead, event__in=events or LeadEvent.values)
        .values("participant", "event")
        .annotate(total=Sum("amount"))
    )
    for row in earned:
        if row["total"] > 0:
            ledger_add(
                participant=User.objects.get(pk=row["participant"]),
                amount=-row["total"],
                event=f"{row['event']}.reversed",
                program=lead.program,
                lead=lead,
                reason=_("Reversal: lead #%(id)s") % {"id": lead.pk},
            )


# --- Tiers ----------------------------------------------------------------------------


def earned_points(participant: User, program: Program, *, since: datetime | None = None) -> int:
    """Points earned (not spent) in the program over the tier period."""
    since = since or timezone.now() - timedelta(days=TIER_PERIOD_DAYS)
    return (
        LedgerEntry.objects.filter(participant=participant, program=program, created_at__gte=since)
        .exclude(event__in=SPENDING_EVENTS)
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )


def tier_for_points(program: Program, points: int) -> Tier | None:
    return (
        Tier.objects.filter(program=program, threshold__lte=points).order_by("-threshold").first()
    )


def tier_recompute(*, participant: User, program: Program, reason: str) -> Tier | None:
    """Promote or demote to the tier the rolling points give; log and announce changes."""
    points = earned_points(participant, program)
    target = tier_for_points(program, points)
    status, _created = TierStatus.objects.select_for_update().get_or_create(
        participant=participant, program=program
    )
    if status.tier_id == (target.pk if target else None):
        return target
    previous = status.tier
    status.tier, status.since = target, timezone.now()
    status.save(update_fields=["tier", "since"])
    change = TierChange.objects.create(
        participant=participant,
        program=program,
        from_tier=previous,
        to_tier=target,
        points=points,
        reason=reason,
    )
    audit_record(
        actor=None,
        action="tier.changed",
        target=change,
        from_state=previous.name if previous else "",
        to_state=target.name if target else "",
        note=reason,
    )
    event_emit("tier.changed", change)
    promoted = target is not None and (previous is None or target.threshold > previous.threshold)
    if promoted:
        notify(
            user=participant,
            kind="tier_up",
            context={"tier": target, "program": program},
            url=reverse("rewards:home"),
        )
    if promoted and settings.CELEBRATE_AUTOMATICALLY:
        from leaderboard.services import celebrate

        text = _("%(name)s reached %(tier)s!") % {
            "name": participant.public_name,
            "tier": target.name,
        }
        transaction.on_commit(lambda: celebrate(kind="tier_up", text=text))
    return target


def tier_progress(participant: User, program: Program) -> dict:
    points = earned_points(participant, program)
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


def tiers_recompute_all() -> int:
    """Daily: points age out of the rolling period, so tiers may fall without any event."""
    changed = 0
    for status in TierStatus.objects.select_related("participant", "program"):
        with transaction.atomic():
            before = status.tier_id
            after = tier_recompute(
                participant=status.participant, program=status.program, reason=_("Rolling period")
            )
            changed += (after.pk if after else None) != before
    return changed


# --- Badges ---------------------------------------------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def referral_streak_weeks(participant: User, *, today=None, longest: int = 60) -> int:
    """Consecutive weeks (Monday to Sunday, site time zone) with at least one referral,
    counting back from this week (or last week, when none yet this week). Looks back at
    most ``longest`` weeks, and reads one row per week (the database groups them)."""
    today = today or timezone.localdate()
    this_week = _week_start(today)
    since = timezone.make_aware(datetime.combine(this_week - timedelta(weeks=longest), time.min))
    weeks = set(
        Lead.objects.filter(referrer=participant, submitted_at__gte=since)
        .exclude(status__in=[LeadStatus.REJECTED, LeadStatus.WITHDRAWN])
        .dates("submitted_at", "week")
    )
    week = this_week if this_week in weeks else this_week - timedelta(weeks=1)
    streak = 0
    while week in weeks:
        streak += 1
        week -= timedelta(weeks=1)
    return streak


def _count_for(participant: User, criterion: str, threshold: int = 60) -> int:
    leads = Lead.objects.filter(referrer=participant)
    if criterion == BadgeCriterion.SUBMITTED:
        return leads.exclude(status__in=[LeadStatus.REJECTED, LeadStatus.WITHDRAWN]).count()
    if criterion == BadgeCriterion.QUALIFIED:
        return leads.filter(status__in=[LeadStatus.QUALIFIED, LeadStatus.WON]).count()
    if criterion == BadgeCriterion.WON:
        return leads.filter(status=LeadStatus.WON).count()
    if criterion == BadgeCriterion.STREAK_WEEKS:
        return referral_streak_weeks(participant, longest=threshold + 1)
    return 0


def badge_award(*, badge: Badge, participant: User, note: str = "") -> BadgeAward | None:
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(badge=badge, participant=participant, note=note)
    except IntegrityError:
        return None  # awarded once
    notify(user=participant, kind="badge", context={"badge": badge}, url=reverse("rewards:home"))
    return award


# Which badge criteria a lead event can move (a badge is never taken back).
EVENT_CRITERIA = {
    LeadEvent.SUBMITTED: {BadgeCriterion.SUBMITTED, BadgeCriterion.STREAK_WEEKS},
    LeadEvent.QUALIFIED: {BadgeCriterion.QUALIFIED},
    LeadEvent.WON: {BadgeCriterion.WON},
}


def badges_evaluate(*, participant: User, criteria: set[str] | None = None) -> list[BadgeAward]:
    """Award every count-based badge (of the given criteria) the participant now reached."""
    have = set(
        BadgeAward.objects.filter(participant=participant).values_list("badge_id", flat=True)
    )
    counts: dict[str, int] = {}
    awarded = []
    pending = list(
        Badge.objects.exclude(criterion=BadgeCriterion.TOP_OF_MONTH).exclude(pk__in=have)
    )
    reach = {
        b.criterion: max(x.threshold for x in pending if x.criterion == b.criterion)
        for b in pending
    }
    for badge in pending:
        if badge.criterion not in counts:
            counts[badge.criterion] = _count_for(
                participant, badge.criterion, reach[badge.criterion]
            )
        if counts[badge.criterion] >= badge.threshold and (
            award := badge_award(badge=badge, participant=participant)
        ):
            awarded.append(award)
    return awarded


def badges_award_top_of_month(*, year: int, month: int) -> int:
    """At the start of a month: badges for the top N by points earned last month."""
    start, end = month_bounds(year, month)
    ranking = list(
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(event__in=SPENDING_EVENTS)
        .values("participant")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
        .order_by("-total", "participant")
    )
    awarded = 0
    for badge in Badge.objects.filter(criterion=BadgeCriterion.TOP_OF_MONTH):
        for row in ranking[: badge.threshold]:
            participant = User.objects.get(pk=row["participant"])
            awarded += (
                badge_award(badge=badge, participant=participant, note=f"{year}-{month:02d}")
                is not None
            )
    return awarded


# --- Catalog and redemptions ---------------------------------------------------------


def participant_tier_ids(participant: User) -> set[int]:
    return set(
        TierStatus.objects.filter(participant=participant, tier__isnull=False).values_list(
            "tier_id", flat=True
        )
    )


def reward_eligible(item: RewardItem, participant: User) -> bool:
    allowed = set(item.eligible_tiers.values_list("pk", flat=True))
    return not allowed or bool(allowed & participant_tier_ids(participant))


def redemption_request(*, participant: User, item: RewardItem) -> Redemption:
    """Spend points on a catalog item. The balance and the stock are checked under row
    locks, so two requests at the same instant can never overspend or oversell."""
    if not has_role(participant, Role.EMPLOYEE, Role.PARTNER_USER):
        raise PermissionDenied(_("Only participants redeem rewards."))
    with transaction.atomic():
        account = _account_locked(participant)
        item = RewardItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_active:
            raise ValidationError(_("This reward is no longer in the catalog."))
        if not reward_eligible(item, participant):
            raise ValidationError(_("This reward is for higher tiers."))
        if not item.in_stock:
            raise ValidationError(_("This reward is out of stock."))
        if account.balance < item.points_price:
            raise ValidationError(
                _("You have %(balance)s points; this reward costs %(price)s.")
                % {"balance": account.balance, "price": item.points_price}
            )
        if item.stock is not None:
            item.stock -= 1
            item.save(update_fields=["stock"])
        redemption = Redemption.objects.create(
            participant=participant, item=item, points=item.points_price
        )
        ledger_add(
            participant=participant,
            amount=-item.points_price,
            event="redemption",
            reason=_("Redeemed: %(item)s") % {"item": item.name},
            redemption=redemption,
        )
        audit_record(
            actor=participant,
            action="redemption.requested",
            target=redemption,
            to_state=redemption.status,
        )
    return redemption


REDEMPTION_FLOW = {
    "approve": ({RedemptionStatus.REQUESTED}, RedemptionStatus.APPROVED),
    "fulfil": ({RedemptionStatus.APPROVED}, RedemptionStatus.FULFILLED),
    "cancel": ({RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED}, RedemptionStatus.CANCELLED),
}


def redemption_transition(
    *, redemption: Redemption, actor: User, action: str, note: str = ""
) -> Redemption:
    allowed_from, to_status = REDEMPTION_FLOW[action]
    own_cancel = action == "cancel" and redemption.participant_id == actor.pk
    if not (has_role(actor, Role.REVIEWER) or own_cancel):
        raise PermissionDenied(_("Only reviewers handle redemptions."))
    with transaction.atomic():
        locked = (
            Redemption.objects.select_for_update()
            .select_related("item", "participant")
            .get(pk=redemption.pk)
        )
        if (
            own_cancel
            and locked.status != RedemptionStatus.REQUESTED
            and not has_role(actor, Role.REVIEWER)
        ):
            raise ValidationError(_("An approved redemption can be cancelled by a reviewer only."))
        if locked.status not in allowed_from:
            raise ValidationError(
                _("This redemption is %(status)s; it cannot be %(action)s.")
                % {"status": locked.get_status_display().lower(), "action": action}
            )
        previous = locked.status
        locked.status, locked.note, locked.updated_at = to_status, note, timezone.now()
        locked.save(update_fields=["status", "note", "updated_at"])
        if to_status == RedemptionStatus.CANCELLED:
            if locked.points:
                ledger_add(
                    participant=locked.participant,
                    amount=locked.points,
                    event="redemption.refund",
                    reason=_("Cancelled: %(item)s") % {"item": locked.item.name},
                    redemption=locked,
                )
            item = RewardItem.objects.select_for_update().get(pk=locked.item_id)
            if item.stock is not None:
                item.stock += 1
                item.save(update_fields=["stock"])
        audit_record(
            actor=actor,
            action=f"redemption.{action}",
            target=locked,
            from_state=previous,
            to_state=to_status,
            note=note,
        )
        notify(
            user=locked.participant,
            kind="redemption_status",
            context={"redemption": locked, "note": note},
            url=reverse("rewards:home"),
        )
    return locked


def milestones_grant(*, participant: User, program: Program) -> list[Redemption]:
    """Grant every milestone reward now reached, once each (a database constraint)."""
    qualified = Lead.objects.filter(
        referrer=participant, program=program, status__in=[LeadStatus.QUALIFIED, LeadStatus.WON]
    ).count()
    granted = []
    for milestone in Milestone.objects.filter(
        program=program, qualified_count__lte=qualified
    ).select_related("reward"):
        if Redemption.objects.filter(milestone=milestone, participant=participant).exists():
            continue
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    participant=participant,
                    item=milestone.reward,
                    points=0,
                    milestone=milestone,
                    status=RedemptionStatus.APPROVED,
                    note=_("Milestone: %(n)s qualified referrals")
                    % {"n": milestone.qualified_count},
                )
        except IntegrityError:
            continue  # granted by a concurrent transaction
        audit_record(
            actor=None, action="redemption.milestone", target=redemption, to_state=redemption.status
        )
        notify(
            user=participant,
            kind="milestone",
            context={"milestone": milestone},
            url=reverse("rewards:home"),
        )
        granted.append(redemption)
    return granted


def milestone_progress(participant: User, program: Program) -> dict | None:
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


# --- Welcome offers (two-sided programs) --------------------------------------------


def offer_codes_add(*, actor: User, program: Program, codes: list[str]) -> int:
    if not has_role(actor, Role.REVIEWER):
        raise PermissionDenied(_("Only reviewers upload offer codes."))
    cleaned = {c.strip() for c in codes if c.strip()}
    existing = set(OfferCode.objects.filter(code__in=cleaned).values_list("code", flat=True))
    new = [OfferCode(program=program, code=c) for c in sorted(cleaned - existing)]
    OfferCode.objects.bulk_create(new)
    return len(new)


def offer_code_issue(*, lead: Lead) -> OfferCode | None:
    """Give the referred prospect one single-use code (from the pool, or generated) and
    e-mail it. A lead never gets two: the code row is one-to-one with the lead."""
    if not lead.email or OfferCode.objects.filter(lead=lead).exists():
        return None
    code = (
        OfferCode.objects.select_for_update(skip_locked=True)
        .filter(program=lead.program, lead__isnull=True)
        .order_by("pk")
        .first()
    )
    if code is None:
        code = OfferCode(
            program=lead.program, code=f"VOUCH-{secrets.token_hex(4).upper()}", generated=True
        )
    code.lead, code.issued_at = lead, timezone.now()
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError:
        return None
    audit_record(
        actor=None, action="offer.issued", target=code, to_state="issued", data={"lead": lead.pk}
    )
    from .tasks import offer_code_email

    transaction.on_commit(lambda: offer_code_email.delay(code.pk))
    return code


# --- Read helpers used by several pages -------------------------------------------------


def catalog_with_eligibility(participant: User, items) -> list[RewardItem]:
    """Mark each catalog item with whether this participant may and can afford it."""
    tiers = participant_tier_ids(participant)
    balance = balance_of(participant)
    items = list(items)
    for item in items:
        allowed = {t.pk for t in item.eligible_tiers.all()}
        item.eligible = not allowed or bool(allowed & tiers)
        item.affordable = balance >= item.points_price
    return items


def badge_board(participant: User) -> list[dict]:
    awards = {a.badge_id: a for a in BadgeAward.objects.filter(participant=participant)}
    return [{"badge": b, "award": awards.get(b.pk)} for b in Badge.objects.all()]


def participant_summary(participant: User) -> dict:
    programs = Program.objects.filter(Q(tiers__isnull=False)).distinct()
    return {
        "balance": balance_of(participant),
        "tiers": [tier_progress(participant, p) for p in programs],
        "milestones": [
            m
            for p in Program.objects.filter(milestones__isnull=False).distinct()
            if (m := milestone_progress(participant, p))
        ],
        "badges": badge_board(participant),
        "recent": LedgerEntry.objects.filter(participant=participant)[:8],
    }
