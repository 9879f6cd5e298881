# SPDX-License-Identifier: AGPL-3.0-or-later
"""Submissions handled set-wise by the event worker (a batch of ``lead.submitted`` at
once: points, tiers, badges, insight rollups) end exactly as one at a time; a second run
changes nothing; one event that fails holds back no other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.dates import local_midnight
from portal.events import services as events
from portal.events.models import Event
from portal.events.registry import handlers_for
from portal.insight.models import FunnelDaily, LeadDaily, LeadFact, PointsDaily, ReferrerMonth
from portal.insight.services import insight_rebuild
from portal.leads.models import Lead
from portal.leads.selectors import leads_of_events
from portal.notifications.models import Notification
from portal.rewards import submissions
from portal.rewards.handlers import award_submission
from portal.rewards.models import (
    Badge,
    BadgeAward,
    GoalReached,
    LedgerEntry,
    PersonalGoal,
    PointsAccount,
    Tier,
    TierChange,
    TierStatus,
)
from portal.rewards.selectors import TIER_PERIOD_DAYS
from tests.factories import (
    PartnerOrganisationFactory,
    PartnerUserFactory,
    ProgramFactory,
    TeamFactory,
    UserFactory,
    submit_lead,
)


def _people():
    team = TeamFactory()
    org = PartnerOrganisationFactory()
    return [
        UserFactory(team=team),
        UserFactory(),
        PartnerUserFactory(partner_organisation=org),
        PartnerUserFactory(partner_organisation=org),
    ]


def _submit_waiting(monkeypatch, people, program, rounds=3):
    """Leads submitted while no worker ran: the outbox holds them all."""
    monkeypatch.setattr(events, "_kick", lambda event_id: None)
    leads = [submit_lead(person, program) for _ in range(rounds) for person in people]
    monkeypatch.undo()
    return leads


def _outcome(people):
    """What the submissions earned, per person (ids aside): comparable across runs."""
    index = {p.pk: i for i, p in enumerate(people)}
    return {
        "ledger": sorted(
            (index[e.participant_id], e.event, e.amount)
            for e in LedgerEntry.objects.filter(participant__in=people)
        ),
        "balances": sorted(
            (index[a.participant_id], a.balance)
            for a in PointsAccount.objects.filter(participant__in=people)
        ),
        "tiers": sorted(
            (index[c.participant_id], c.to_tier.name, c.points)
            for c in TierChange.objects.filter(participant__in=people).select_related("to_tier")
        ),
        "badges": sorted(
            (index[b.participant_id], b.badge.slug)
            for b in BadgeAward.objects.filter(participant__in=people).select_related("badge")
        ),
        "points_events": sorted(
            (index[e.payload["participant"]], e.payload["amount"], e.payload["balance"])
            for e in Event.objects.filter(name="points.recorded")
            if e.payload["participant"] in index
        ),
    }


def _rollups():
    return {
        model.__name__: sorted(
            (tuple(v for k, v in row.items() if k != "id") for row in model.objects.values()),
            key=repr,
        )
        for model in (LeadFact, LeadDaily, ReferrerMonth, FunnelDaily, PointsDaily)
    }


@pytest.fixture
def program(db):
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Bronze", threshold=0)
    Tier.objects.create(program=program, name="Silver", threshold=20)  # the second lead
    return program


@pytest.mark.parametrize("batch_size", [50, 0])
def test_a_batch_of_submissions_ends_as_one_at_a_time(
    db, settings, monkeypatch, program, batch_size
):
    """Batch size 0: one event at a time (each handler gets lists of one). Both runs end
    with the same points, tiers, badges and points events, and rollups equal to a
    rebuild from scratch."""
    settings.EVENTS_BATCH_SIZE = batch_size
    people = _people()
    _submit_waiting(monkeypatch, people, program)
    assert events.events_drain() > 0
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert _outcome(people) == {
        "ledger": sorted((i, "submitted", 10) for i in range(4) for _ in range(3)),
        "balances": [(i, 30) for i in range(4)],
        "tiers": sorted(
            (i, tier, points) for i in range(4) for tier, points in (("Bronze", 10), ("Silver", 20))
        ),
        "badges": [(i, "first-referral") for i in range(4)],
        "points_events": sorted((i, 10, b) for i in range(4) for b in (10, 20, 30)),
    }
    live = _rollups()
    assert len(live["LeadFact"]) == 12
    insight_rebuild()
    assert _rollups() == live


def test_a_batch_handled_again_changes_nothing(db, settings, monkeypatch, program):
    people = _people()
    _submit_waiting(monkeypatch, people, program)
    events.events_drain()
    before, rollups = _outcome(people), _rollups()
    counted = Event.objects.count()
    # The set-based handlers once more on the whole batch, without their claims.
    batch = list(Event.objects.filter(name="lead.submitted").order_by("pk"))
    for handler in handlers_for("lead.submitted"):
        if handler.batch and handler.key.split(".")[1] in {"rewards", "insight"}:
            with transaction.atomic():
                handler.func([Event.objects.get(pk=e.pk) for e in batch])
    assert _outcome(people) == before
    assert _rollups() == rollups
    assert Event.objects.count() == counted  # no points published twice
    # The worker retrying every event: the claims hold.
    Event.objects.update(handled_at=None, lease_until=None)
    events.events_drain()
    assert _outcome(people) == before
    assert _rollups() == rollups


def test_one_failing_submission_in_a_batch_holds_back_no_other(db, settings, monkeypatch, program):
    settings.EVENTS_RAISE = False
    people = _people()
    leads = _submit_waiting(monkeypatch, people, program, rounds=1)
    broken = leads[2]
    real = submissions.tier_recompute_many

    def tier_recompute_many(**kwargs):
        if any(check.reason.endswith(f"#{broken.pk}") for check in kwargs["checks"]):
            raise RuntimeError("tiers are broken for this lead")
        return real(**kwargs)

    monkeypatch.setattr(submissions, "tier_recompute_many", tier_recompute_many)
    events.events_drain()
    waiting = Event.objects.get(handled_at__isnull=True)
    assert waiting.payload["lead"] == broken.pk and "tiers are broken" in waiting.last_error
    assert not LedgerEntry.objects.filter(lead=broken).exists()  # its points rolled back
    assert set(LedgerEntry.objects.values_list("lead_id", flat=True)) == {
        lead.pk for lead in leads if lead != broken
    }
    assert LeadFact.objects.filter(lead=broken).exists()  # other handlers did their part

    monkeypatch.undo()
    assert events.events_drain(now=timezone.now() + timedelta(minutes=10)) >= 1
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert LedgerEntry.objects.filter(lead=broken).count() == 1
    assert PointsAccount.objects.get(participant=broken.referrer).balance == 10
    assert Lead.objects.count() == LeadFact.objects.count() == 4


# --- Tiers, badges and goals of a batch, set-wise, against one at a time -----------------


class _Rollback(Exception):
    pass


def _crossing_batch(monkeypatch, batch_size, now):
    """A batch with everything that can tell set-wise handling from one at a time:

    - A, fresh: promoted at the first submission, nothing at the second;
    - B, Bronze with 20 points: crosses into Silver in the middle of the batch;
    - C, Gold decided at ``late`` (after every submission here, a decision taken later):
      both its submissions are dated ``late`` ("never before the last decision"); at the
      first it has 35 + 10 (the second's entry does not exist yet one at a time) and falls
      to Silver, at the second 35 + 20 brings it back to Gold;
    - D, Silver on 30 old points that leave the rolling year between its two submissions:
      demoted to Bronze at the second;
    - E, a goal of one referral a month, two submissions either side of a month's start:
      reached in both months.
    Each has two submissions, so one referrer's two are in one batch. Returns the people,
    the leads in order and the program (``_everything`` reads what came out)."""
    program = ProgramFactory()
    bronze = Tier.objects.create(program=program, name="Bronze", threshold=10)
    silver = Tier.objects.create(program=program, name="Silver", threshold=30)
    gold = Tier.objects.create(program=program, name="Gold", threshold=50)
    Badge.objects.create(
        slug="two-referrals", name="Two", description="2", criterion="submitted", threshold=2
    )
    people = [UserFactory(), UserFactory(), UserFactory(), PartnerUserFactory(), UserFactory()]
    a, b, c, d, e = people
    t0 = now - timedelta(hours=3)
    late = now - timedelta(hours=1)
    month = local_midnight(timezone.localdate(now).replace(day=1))
    previous_month = local_midnight((month - timedelta(days=1)).date().replace(day=1))
    for person, points, at in ((b, 20, t0 - timedelta(days=10)), (c, 35, t0 - timedelta(days=10))):
        LedgerEntry.objects.create(
            participant=person,
            program=program,
            amount=points,
            event="adjustment",
            reason="-",
            created_at=at,
        )
    # D's 30 points count at its first submission (t0 + 6 min), no longer at its second.
    LedgerEntry.objects.create(
        participant=d,
        program=program,
        amount=30,
        event="adjustment",
        reason="-",
        created_at=t0 + timedelta(minutes=6, seconds=30) - timedelta(days=TIER_PERIOD_DAYS),
    )
    TierStatus.objects.create(
        participant=b, program=program, tier=bronze, since=t0 - timedelta(days=10)
    )
    TierStatus.objects.create(participant=c, program=program, tier=gold, since=late)
    TierStatus.objects.create(
        participant=d, program=program, tier=silver, since=t0 - timedelta(days=200)
    )
    PersonalGoal.objects.create(participant=e, metric="referrals", period="month", target=1)
    PersonalGoal.objects.create(participant=a, metric="referrals", period="month", target=2)
    PersonalGoal.objects.create(participant=a, metric="referrals", period="quarter", target=9)
    order = [
        (e, previous_month - timedelta(minutes=1)),
        (e, previous_month + timedelta(minutes=1)),
        (a, t0 + timedelta(minutes=1)),
        (b, t0 + timedelta(minutes=2)),
        (c, t0 + timedelta(minutes=3)),
        (a, t0 + timedelta(minutes=4)),
        (b, t0 + timedelta(minutes=5)),
        (d, t0 + timedelta(minutes=6)),
        (c, t0 + timedelta(minutes=7)),
        (d, t0 + timedelta(minutes=7)),
    ]
    monkeypatch.setattr(events, "_kick", lambda event_id: None)
    leads = [submit_lead(person, program) for person, _at in order]
    monkeypatch.undo()
    for lead, (_person, at) in zip(leads, order, strict=True):
        Lead.objects.filter(pk=lead.pk).update(submitted_at=at)
        Event.objects.filter(name="lead.submitted", payload__lead=lead.pk).update(occurred_at=at)
    with override_settings(EVENTS_BATCH_SIZE=batch_size):
        events.events_drain()
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    return people, leads, program


def _everything(people, leads, program):
    person = {p.pk: i for i, p in enumerate(people)}
    lead = {x.pk: i for i, x in enumerate(leads)}
    mine = LedgerEntry.objects.filter(participant__in=people).order_by("pk")
    entry = {x.pk: i for i, x in enumerate(mine)}
    changes = list(TierChange.objects.filter(program=program).order_by("pk"))
    change = {x.pk: i for i, x in enumerate(changes)}
    tier = {t.pk: t.name for t in Tier.objects.filter(program=program)} | {None: None}

    def lead_of(reason):
        return lead.get(int(reason.rsplit("#", 1)[1])) if "#" in reason else reason

    def payload(event):
        p = dict(event.payload)
        p["participant"] = person[p["participant"]]
        p["program"] = p["program"] == program.pk
        if event.name == "points.recorded":
            p.update(entry=entry[p["entry"]], lead=lead[p["lead"]])
        else:
            p.update(change=change[p["change"]], **{"from": tier[p["from"]], "to": tier[p["to"]]})
        return p

    return {
        "ledger": [
            (person[x.participant_id], lead.get(x.lead_id), x.event, x.amount, x.created_at)
            for x in mine
        ],
        "balances": sorted(
            (person[x.participant_id], x.balance)
            for x in PointsAccount.objects.filter(participant__in=people)
        ),
        "statuses": sorted(
            (person[s.participant_id], tier[s.tier_id], s.since if s.tier_id else None)
            for s in TierStatus.objects.filter(program=program)
        ),
        "changes": [
            (
                person[x.participant_id],
                tier[x.from_tier_id],
                tier[x.to_tier_id],
                x.points,
                lead_of(x.reason),
                x.created_at,
            )
            for x in changes
        ],
        "audit": [
            (change[int(x.target_id)], x.from_state, x.to_state, lead_of(x.note))
            for x in AuditEvent.objects.filter(action="tier.changed").order_by("pk")
            if int(x.target_id) in change
        ],
        # Per participant, their points and tier events in the order handlers see them.
        "events": {
            i: [
                (x.name, x.occurred_at, payload(x))
                for x in Event.objects.filter(aggregate=f"user:{p.pk}").order_by("pk")
            ]
            for i, p in enumerate(people)
        },
        # Per kind (each handler's, in its order; a batch runs one handler on all the
        # events before the next, so the kinds interleave differently).
        "notices": {
            kind: [
                (person[n.user_id], n.title)
                for n in Notification.objects.filter(user__in=people, kind=kind).order_by("pk")
            ]
            for kind in ("tier_up", "goal_reached", "badge")
        },
        "badges": sorted(
            (person[x.participant_id], x.badge.slug)
            for x in BadgeAward.objects.filter(participant__in=people).select_related("badge")
        ),
        "goals": [
            (person[x.goal.participant_id], x.goal.period, x.period_key)
            for x in GoalReached.objects.select_related("goal").order_by("pk")
        ],
    }


def _isolated(run):
    """``run()``'s result, with everything it wrote rolled back."""
    found = {}
    with pytest.raises(_Rollback), transaction.atomic():
        found["result"] = run()
        raise _Rollback
    return found["result"]


def test_tiers_goals_and_badges_of_a_batch_end_exactly_as_one_at_a_time(db, monkeypatch):
    now = timezone.now()
    batch = _isolated(lambda: _everything(*_crossing_batch(monkeypatch, 50, now)))
    single = _isolated(lambda: _everything(*_crossing_batch(monkeypatch, 0, now)))
    assert batch == single
    # And what that is, spelled out (the rules the comparison rests on).
    a, b, c, d, e = range(5)
    assert [row[:5] for row in batch["changes"]] == [
        (e, None, "Bronze", 10, 0),
        (a, None, "Bronze", 10, 2),
        (b, "Bronze", "Silver", 30, 3),
        (c, "Gold", "Silver", 45, 4),  # at ``late``: its second entry is not counted yet
        (c, "Silver", "Gold", 55, 8),
        (d, "Silver", "Bronze", 20, 9),  # D's old points left the rolling year
    ]
    late = next(since for who, _tier, since in batch["statuses"] if who == c)
    assert [row[5] for row in batch["changes"] if row[0] == c] == [late, late]
    assert batch["audit"] == [
        (0, "", "Bronze", 0),
        (1, "", "Bronze", 2),
        (2, "Bronze", "Silver", 3),
        (3, "Gold", "Silver", 4),
        (4, "Silver", "Gold", 8),
        (5, "Silver", "Bronze", 9),
    ]
    assert [(name, p.get("balance")) for name, _at, p in batch["events"][c]] == [
        ("points.recorded", 10),  # (its account has only these two)
        ("tier.changed", None),
        ("points.recorded", 20),
        ("tier.changed", None),
    ]
    assert [who for who, _title in batch["notices"]["tier_up"]] == [e, a, b, c]
    assert [who for who, _title in batch["notices"]["goal_reached"]] == [e, e, a]
    assert [(who, period) for who, period, _key in batch["goals"]] == [
        (e, "month"),
        (e, "month"),
        (a, "month"),
    ]
    assert len({key for _who, _period, key in batch["goals"]}) == 3  # E's in two months
    assert [slug for who, slug in batch["badges"] if who == c] == [
        "first-referral",
        "two-referrals",
    ]


def test_tiers_goals_and_badges_handled_again_change_nothing(db, monkeypatch):
    def twice():
        ran = _crossing_batch(monkeypatch, 50, timezone.now())
        first = _everything(*ran)
        counted = Event.objects.count()
        batch = list(Event.objects.filter(name="lead.submitted").order_by("pk"))
        for handler in handlers_for("lead.submitted"):
            if handler.key.startswith("portal.rewards."):  # again, without their claims
                assert handler.batch
                with transaction.atomic():
                    handler.func([Event.objects.get(pk=x.pk) for x in batch])
        assert Event.objects.count() == counted  # nothing published twice
        again = _everything(*ran)
        # The worker retrying every event: the claims hold.
        Event.objects.update(handled_at=None, lease_until=None)
        events.events_drain()
        return first, again, _everything(*ran)

    first, again, retried = _isolated(twice)
    assert again == first
    assert retried == first


def test_a_batch_s_tier_status_rows_are_locked_once_in_order(db, monkeypatch):
    """Two batches (or a batch and one submission) lock the same rows in the same order:
    (participant, program), one statement, never one row at a time."""
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Bronze", threshold=10)
    people = [UserFactory() for _ in range(4)]
    leads = _submit_waiting(monkeypatch, people[::-1], program, rounds=1)
    for person in people[:2]:
        TierStatus.objects.create(participant=person, program=program)
    leads_of_events(events=(batch := list(Event.objects.filter(name="lead.submitted"))))
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        award_submission(batch)
    locks = [
        q["sql"] for q in queries if "rewards_tierstatus" in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    if connection.features.has_select_for_update:
        assert len(locks) == 2  # the rows there, then the rows it created
        assert all(
            'ORDER BY "rewards_tierstatus"."participant_id" ASC, "rewards_tierstatus"."program_id" ASC'
            in sql
            for sql in locks
        )
    assert TierStatus.objects.filter(program=program, tier__name="Bronze").count() == len(leads)


def _goals_and_tiers(count, monkeypatch):
    """Queries of the two rewards handlers on a batch of ``count`` submissions by people
    who have submitted before (badges and tiers settled), each with a goal."""
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Bronze", threshold=10)
    Tier.objects.create(program=program, name="Silver", threshold=1000)
    people = [UserFactory() for _ in range(count)]
    for person in people:
        PersonalGoal.objects.create(
            participant=person, metric="referrals", period="month", target=50
        )
    _submit_waiting(monkeypatch, people, program, rounds=1)
    events.events_drain()
    _submit_waiting(monkeypatch, people, program, rounds=1)
    batch = list(Event.objects.filter(name="lead.submitted", handled_at__isnull=True))
    assert len(batch) == count
    leads_of_events(events=batch)
    queries = {}
    for handler in handlers_for("lead.submitted"):
        if handler.key.startswith("portal.rewards."):
            with CaptureQueriesContext(connection) as captured, transaction.atomic():
                handler.func(batch)
            queries[handler.key.rsplit(".", 1)[1]] = len(captured)
    assert LedgerEntry.objects.filter(lead__in=[e.payload["lead"] for e in batch]).count() == count
    return queries


def test_a_batch_s_queries_do_not_grow_with_its_size(db, monkeypatch):
    """Points, tiers, badges and the fraud holds already open: a fixed number of
    statements for the batch; goals: one query for the goals, then one count per goal (a
    goal is one referrer's)."""
    small = _isolated(lambda: _goals_and_tiers(3, monkeypatch))
    large = _isolated(lambda: _goals_and_tiers(9, monkeypatch))
    assert large["award_submission"] == small["award_submission"] <= 15
    assert large["personal_goals"] - small["personal_goals"] == 9 - 3  # the counts only
