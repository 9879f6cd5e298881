# SPDX-License-Identifier: AGPL-3.0-or-later
"""Points, tiers and badges (SPEC §4); redemptions, milestones and welcome offers live in
``redemptions.py``, reads in ``selectors.py``.

Rewards owns what a lead's status means for points (``STATUS_MEANING``): its handlers
(``handlers.py``) apply lead events after they commit, taking the event's time as the
business time. Every balance change happens under the participant's ``PointsAccount`` row
lock, together with its ledger entry, and publishes ``points.recorded`` (the boards
subscribe); a tier change publishes ``tier.changed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.dates import month_bounds
from portal.events.models import Event
from portal.events.services import event_build, publish_many
from portal.leads.models import Lead, LeadStatus, Program
from portal.notifications.services import notify

from .models import (
    Badge,
    BadgeAward,
    BadgeCriterion,
    LeadEvent,
    LedgerEntry,
    PointsAccount,
    Redemption,
    Tier,
    TierStatus,
)
from .selectors import (
    SPENDING_EVENTS,
    badge_criterion_counts,
    lead_beneficiaries,
    points_for,
)
from .tiers import TierCheck, tier_recompute_many

# --- Ledger ---------------------------------------------------------------------------


def points_account_lock(*, participant: User) -> PointsAccount:
    """The participant's points account, created if missing, locked for this
    transaction. Call inside a transaction. Publishes nothing."""
    locked = PointsAccount.objects.select_for_update().filter(participant=participant).first()
    if locked is not None:
        return locked
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
    source: str = "",
    at: datetime | None = None,
) -> LedgerEntry | None:
    """Append one entry (dated ``at``, the business time) and move the cached balance with
    it, under the participant's account row lock; publishes ``points.recorded``. Returns
    None when this (lead, event, participant) or (redemption, event) already has its
    entry, or ``source`` (a contest prize) already has it (unique constraints)."""
    with transaction.atomic():
        account = points_account_lock(participant=participant)
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
                    source=source,
                    created_at=at or timezone.now(),
                )
        except IntegrityError:
            return None  # idempotent: the award exists already
        account.balance += amount
        account.save(update_fields=["balance"])
        publish_many(events=[points_recorded_build(entry=entry, balance=account.balance)])
    return entry


def points_recorded_build(*, entry: LedgerEntry, balance: int) -> Event:
    """The ``points.recorded`` event of a written ledger entry, with the participant's
    balance after it, unsaved (what the boards and live figures read: one shape for
    ``ledger_add`` and a batch of submissions). Pure."""
    return event_build(
        name="points.recorded",
        aggregate=f"user:{entry.participant_id}",
        payload={
            "entry": entry.pk,
            "participant": entry.participant_id,
            "amount": entry.amount,
            "event": entry.event,
            "program": entry.program_id,
            "lead": entry.lead_id,
            "balance": balance,
        },
        occurred_at=entry.created_at,
    )


# What each new status of a lead means for its points (leads knows nothing of points).
STATUS_MEANING = {
    LeadStatus.QUALIFIED: "qualified",
    LeadStatus.WON: "won",
    LeadStatus.REJECTED: "reversed",
    LeadStatus.WITHDRAWN: "reversed",
}


def lead_event_apply(*, lead: Lead, event: str, at: datetime | None = None) -> None:
    """Award points for a lead event ("submitted", "qualified", "won"), or take them back
    ("reversed": all the lead earned; "won_reversed": what the win earned), then tiers,
    badges, milestones and offers. Idempotent (one ledger entry per lead, event and
    beneficiary). ``at`` is when the lead event happened. Locks each beneficiary's
    points account while writing their entry. Each entry publishes
    ``points.recorded`` (boards follow); a tier change publishes ``tier.changed``."""
    at = at or timezone.now()
    if event == "reversed":
        _reverse_lead_awards(lead, at=at)
    elif event == "won_reversed":
        _reverse_lead_awards(lead, events=[LeadEvent.WON], at=at)
    elif event in LeadEvent.values:
        for beneficiary, amount in points_for(program=lead.program, event=event).items():
            for participant in lead_beneficiaries(lead=lead, beneficiary=beneficiary):
                if amount:
                    ledger_add(
                        participant=participant,
                        amount=amount,
                        event=event,
                        program=lead.program,
                        lead=lead,
                        reason=_("%(event)s: lead #%(id)s")
                        % {"event": LeadEvent(event).label, "id": lead.pk},
                        at=at,
                    )
        if event == LeadEvent.QUALIFIED:
            from .redemptions import milestones_grant, offer_code_issue

            milestones_grant(participant=lead.referrer, program=lead.program)
            if lead.program.two_sided:
                offer_code_issue(lead=lead)
    tier_recompute(
        participant=lead.referrer,
        program=lead.program,
        reason=_("Lead #%(id)s") % {"id": lead.pk},
        at=at,
    )
    if event in EVENT_CRITERIA:
        badges_evaluate(participant=lead.referrer, criteria=EVENT_CRITERIA[event])


def _reverse_lead_awards(lead: Lead, *, at: datetime, events: list[str] | None = None) -> None:
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
                at=at,
            )


# --- Tiers ----------------------------------------------------------------------------


def tier_recompute(
    *, participant: User, program: Program, reason: str, at: datetime | None = None
) -> Tier | None:
    """Promote or demote to the tier the rolling points give as of ``at`` (never before the
    last decision: an event handled late must not undo a later one); log, audit, notify
    and publish ``tier.changed``. Locks the participant's tier status row. (A list of
    them at once: ``tiers.tier_recompute_many``.)"""
    check = TierCheck(participant, program, reason, at or timezone.now())
    return tier_recompute_many(checks=[check])[0]


def tiers_recompute_all() -> int:
    """Daily: points age out of the rolling period, so tiers may fall without any
    event. Each participant as ``tier_recompute``: locks their tier status row,
    publishes ``tier.changed`` on a change."""
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


def badge_award(*, badge: Badge, participant: User, note: str = "") -> BadgeAward | None:
    """Award a badge once (a unique constraint; None when already awarded) and notify the
    participant. Locks nothing, publishes nothing."""
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(badge=badge, participant=participant, note=note)
    except IntegrityError:
        return None  # awarded once
    notify(user=participant, kind="badge", context={"badge": badge}, url=reverse("rewards:home"))
    return award


# Which badge criteria a lead event can move (a badge is never taken back).
EVENT_CRITERIA: dict[str, set[str]] = {
    LeadEvent.SUBMITTED: {BadgeCriterion.SUBMITTED, BadgeCriterion.STREAK_WEEKS},
    LeadEvent.QUALIFIED: {BadgeCriterion.QUALIFIED},
    LeadEvent.WON: {BadgeCriterion.WON},
}


def badges_evaluate(*, participant: User, criteria: set[str] | None = None) -> list[BadgeAward]:
    """Award every count-based badge (of the given criteria) the participant now
    reached. Each award as ``badge_award`` (a unique constraint, no lock); publishes
    nothing."""
    return badges_evaluate_many(participants=[participant], criteria=criteria)


def badges_evaluate_many(
    *, participants: Sequence[User], criteria: set[str] | None = None
) -> list[BadgeAward]:
    """``badges_evaluate`` for each participant in turn (once each), with the badges, the
    awards the participants hold and each criterion's counts read once for all of them.
    Each award as ``badge_award`` (a unique constraint, no lock); publishes nothing."""
    people = list({p.pk: p for p in participants}.values())
    badges_qs = Badge.objects.exclude(criterion=BadgeCriterion.TOP_OF_MONTH)
    if criteria is not None:
        badges_qs = badges_qs.filter(criterion__in=criteria)
    badges = list(badges_qs)
    if not badges or not people:
        return []
    held = set(
        BadgeAward.objects.filter(
            participant__in=[p.pk for p in people], badge__in=[b.pk for b in badges]
        ).values_list("participant_id", "badge_id")
    )
    pending = {p.pk: [b for b in badges if (p.pk, b.pk) not in held] for p in people}
    # Who needs which count, and how far it must reach (a streak is read that far back:
    # reading further changes no comparison with a pending threshold).
    needed: dict[str, set[int]] = {}
    reach: dict[str, int] = {}
    for pk, todo in pending.items():
        for badge in todo:
            needed.setdefault(badge.criterion, set()).add(pk)
            reach[badge.criterion] = max(reach.get(badge.criterion, 0), badge.threshold)
    counts = {
        criterion: badge_criterion_counts(
            participant_ids=ids, criterion=criterion, threshold=reach[criterion]
        )
        for criterion, ids in needed.items()
    }
    awarded = []
    for participant in people:
        for badge in pending[participant.pk]:
            if counts[badge.criterion].get(participant.pk, 0) >= badge.threshold and (
                award := badge_award(badge=badge, participant=participant)
            ):
                awarded.append(award)
    return awarded


def badges_award_top_of_month(*, year: int, month: int) -> int:
    """At the start of a month: badges for the top N by points earned last month.
    Each award as ``badge_award`` (a unique constraint, no lock); publishes nothing."""
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


# --- Fraud holds (the fraud review's events) ---------------------------------------------

HOLD_PREFIX = "fraud.hold:"
RELEASE_PREFIX = "fraud.release:"


def lead_points_hold(*, lead: Lead, case_id: int, at: datetime | None = None) -> int:
    """Hold what a lead under review earned: for each earning entry, a negative
    ``fraud.hold:<event>`` entry (once per lead, event and participant: the ledger's
    constraint), so held points can be neither spent nor ranked. Returns the points held.
    Each entry locks its participant's account and publishes ``points.recorded``."""
    held = 0
    earned = (
        LedgerEntry.objects.filter(lead=lead, event__in=LeadEvent.values)
        .values("participant", "event")
        .annotate(total=Sum("amount"))
    )
    for row in earned:
        if row["total"] > 0 and ledger_add(
            participant=User.objects.get(pk=row["participant"]),
            amount=-row["total"],
            event=HOLD_PREFIX + row["event"],
            reason=_("Held: fraud case #%(case)s, lead #%(id)s") % {"case": case_id, "id": lead.pk},
            program=lead.program,
            lead=lead,
            at=at,
        ):
            held += row["total"]
    return held


def lead_points_release(*, lead: Lead, case_id: int, at: datetime | None = None) -> int:
    """Give back what ``lead_points_hold`` held (once per held entry). Returns the points
    released. Locks and publishes as ``ledger_add``."""
    released = 0
    for entry in LedgerEntry.objects.filter(lead=lead, event__startswith=HOLD_PREFIX):
        if ledger_add(
            participant=entry.participant,
            amount=-entry.amount,
            event=RELEASE_PREFIX + entry.event[len(HOLD_PREFIX) :],
            reason=_("Released: fraud case #%(case)s, lead #%(id)s")
            % {"case": case_id, "id": lead.pk},
            program=lead.program,
            lead=lead,
            at=at,
        ):
            released -= entry.amount
    return released
