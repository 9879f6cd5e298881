# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tier decisions, set-wise: what ``services.tier_recompute`` does for one participant and
program, for a list of them in turn (a worker's batch of submissions) with a few
statements for the whole list. ``tier_recompute`` is the list of one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Sum, Value, When
from django.urls import reverse

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_build
from portal.events.models import Event
from portal.events.services import event_build, publish_many
from portal.leads.models import Program
from portal.notifications.services import notify

from .models import LedgerEntry, Tier, TierChange, TierStatus
from .selectors import SPENDING_EVENTS, TIER_PERIOD_DAYS

Pair = tuple[int, int]  # participant id, program id


class TierCheck(NamedTuple):
    """One ``tier_recompute``: the participant's tier in the program as of ``at``."""

    participant: User
    program: Program
    reason: str
    at: datetime


def _pairs_q(pairs: set[Pair]) -> Q:
    by_program: dict[int, list[int]] = defaultdict(list)
    for participant, program in sorted(pairs):
        by_program[program].append(participant)
    return reduce(
        or_, (Q(program_id=g, participant_id__in=ids) for g, ids in sorted(by_program.items()))
    )


def _statuses_lock(pairs: set[Pair]) -> dict[Pair, TierStatus]:
    """The (participant, program) tier status rows, created if missing, locked for this
    transaction in (participant, program) order: two batches, or a batch and
    ``tier_recompute`` (one row), lock in the same order and never deadlock."""

    def locked(wanted: set[Pair]) -> dict[Pair, TierStatus]:
        return {
            (s.participant_id, s.program_id): s
            for s in TierStatus.objects.select_for_update()
            .filter(_pairs_q(wanted))
            .order_by("participant_id", "program_id")
        }

    found = locked(pairs)
    if missing := pairs - found.keys():
        TierStatus.objects.bulk_create(
            [TierStatus(participant_id=p, program_id=g) for p, g in sorted(missing)],
            ignore_conflicts=True,
        )
        found.update(locked(missing))
    return found


class _Rolling:
    """The points each pair earned in the tier period ending at a time, from one query.

    Every time asked lies in [lo, hi]: the entries of (hi - period, lo] count at each of
    them and come summed, one row per pair; only those near the window's two edges come
    one by one. ``unseen``: entries written in this transaction for a later check, which
    count only from that check on (one at a time, they did not exist yet)."""

    def __init__(
        self,
        pairs: set[Pair],
        lo: datetime,
        hi: datetime,
        unseen: Sequence[tuple[int, LedgerEntry]],
    ) -> None:
        self.period = timedelta(days=TIER_PERIOD_DAYS)
        self.base: dict[Pair, int] = defaultdict(int)
        self.edges: dict[Pair, list[tuple[datetime, int]]] = defaultdict(list)
        self.unseen = [
            (index, entry)
            for index, entry in unseen
            if entry.event not in SPENDING_EVENTS
            and (entry.participant_id, entry.program_id) in pairs
        ]
        if not pairs:
            return
        always = Q(created_at__gt=hi - self.period, created_at__lte=lo)
        rows = (
            LedgerEntry.objects.filter(
                _pairs_q(pairs), created_at__gt=lo - self.period, created_at__lte=hi
            )
            .exclude(event__in=SPENDING_EVENTS)
            .exclude(pk__in=[entry.pk for _index, entry in unseen])
            .annotate(
                moment=Case(
                    When(always, then=Value(None)),
                    default=F("created_at"),
                    output_field=DateTimeField(),
                )
            )
            .order_by()
            .values_list("participant_id", "program_id", "moment")
            .annotate(points=Sum("amount"))
        )
        for participant, program, moment, points in rows:
            if moment is None:
                self.base[(participant, program)] += points
            else:
                self.edges[(participant, program)].append((moment, points))

    def at(self, pair: Pair, at: datetime, index: int) -> int:
        def inside(moment: datetime) -> bool:
            return at - self.period < moment <= at

        return (
            self.base[pair]
            + sum(points for moment, points in self.edges[pair] if inside(moment))
            + sum(
                entry.amount
                for seen_from, entry in self.unseen
                if seen_from <= index
                and (entry.participant_id, entry.program_id) == pair
                and inside(entry.created_at)
            )
        )


class _Change(NamedTuple):
    position: int  # of its check
    check: TierCheck
    previous: Tier | None
    target: Tier | None
    points: int
    at: datetime


def tier_recompute_many(
    *,
    checks: Sequence[TierCheck],
    unseen: Sequence[tuple[int, LedgerEntry]] = (),
    publish_before: Mapping[int, Sequence[Event]] | None = None,
) -> list[Tier | None]:
    """``tier_recompute`` for each check in turn, with the same results: promote or demote
    to the tier the rolling points give as of the check's ``at`` (never before the last
    decision), log, audit, notify and publish ``tier.changed``, in the checks' order.
    Returns each check's tier.

    ``unseen``: (check index, entry) for ledger entries the caller wrote in this
    transaction for the submission of that check: earlier checks do not count them.
    ``publish_before``: events (``event_build``) the caller publishes, by check index; they
    go out in the same INSERT, before that check's ``tier.changed`` (the order one at a
    time would give them).

    Call inside a transaction (opens one otherwise). Locks the checks' tier status rows,
    once each, in (participant, program) order; reads each program's tiers once and the
    ledger once. Publishes ``tier.changed`` per change and ``publish_before``."""
    before = publish_before or {}
    with transaction.atomic(savepoint=False):
        pairs = {(c.participant.pk, c.program.pk) for c in checks}
        statuses = _statuses_lock(pairs) if pairs else {}
        ladders: dict[int, list[Tier]] = defaultdict(list)
        for tier in Tier.objects.filter(program_id__in={g for _p, g in pairs}).order_by(
            "program_id", "threshold"
        ):
            ladders[tier.program_id].append(tier)
        # A program without tiers has nothing to decide for a participant without one.
        asked = {(p, g) for p, g in pairs if ladders[g] or statuses[(p, g)].tier_id}
        times = [c.at for c in checks if (c.participant.pk, c.program.pk) in asked]
        times += [statuses[pair].since for pair in asked if statuses[pair].tier_id]
        rolling = _Rolling(asked, min(times), max(times), unseen) if asked else None

        results: list[Tier | None] = []
        changes: list[_Change] = []
        for index, check in enumerate(checks):
            pair = (check.participant.pk, check.program.pk)
            status = statuses[pair]
            if pair not in asked:
                results.append(None)
                continue
            assert rolling is not None
            at = max(check.at, status.since) if status.tier_id else check.at
            points = rolling.at(pair, at, index)
            target = next((t for t in reversed(ladders[pair[1]]) if t.threshold <= points), None)
            results.append(target)
            if status.tier_id == (target.pk if target else None):
                continue
            previous = next((t for t in ladders[pair[1]] if t.pk == status.tier_id), None)
            if previous is None and status.tier_id is not None:
                previous = status.tier
            status.tier, status.since = target, at
            changes.append(_Change(index, check, previous, target, points, at))

        if changes:
            TierStatus.objects.bulk_update(_changed_statuses(statuses, changes), ["tier", "since"])
        rows = TierChange.objects.bulk_create(
            TierChange(
                participant=c.check.participant,
                program=c.check.program,
                from_tier=c.previous,
                to_tier=c.target,
                points=c.points,
                reason=c.check.reason,
                created_at=c.at,
            )
            for c in changes
        )
        AuditEvent.objects.bulk_create(
            audit_event_build(
                actor=None,
                action="tier.changed",
                target=row,
                from_state=c.previous.name if c.previous else "",
                to_state=c.target.name if c.target else "",
                note=c.check.reason,
            )
            for c, row in zip(changes, rows, strict=True)
        )
        tier_events = {
            c.position: _tier_event(c, row) for c, row in zip(changes, rows, strict=True)
        }
        publish_many(
            events=[
                event
                for index in range(len(checks))
                for event in (*before.get(index, ()), *filter(None, [tier_events.get(index)]))
            ]
        )
        for c in changes:
            if _promoted(c):
                notify(
                    user=c.check.participant,
                    kind="tier_up",
                    context={"tier": c.target, "program": c.check.program},
                    url=reverse("rewards:home"),
                )
    return results


def _changed_statuses(statuses: dict[Pair, TierStatus], changes: list[_Change]) -> list[TierStatus]:
    changed = {(c.check.participant.pk, c.check.program.pk) for c in changes}
    return [statuses[pair] for pair in sorted(changed)]


def _promoted(change: _Change) -> bool:
    target, previous = change.target, change.previous
    return target is not None and (previous is None or target.threshold > previous.threshold)


def _tier_event(change: _Change, row: TierChange) -> Event:
    participant = change.check.participant
    return event_build(
        name="tier.changed",
        aggregate=f"user:{participant.pk}",
        payload={
            "change": row.pk,
            "participant": participant.pk,
            "program": change.check.program.pk,
            "from": change.previous.pk if change.previous else None,
            "to": change.target.pk if change.target else None,
            "promoted": _promoted(change),
        },
        occurred_at=change.at,
    )
