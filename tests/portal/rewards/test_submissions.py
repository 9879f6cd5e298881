# SPDX-License-Identifier: AGPL-3.0-or-later
"""Submissions handled set-wise by the event worker (a batch of ``lead.submitted`` at
once: points, tiers, badges, insight rollups) end exactly as one at a time; a second run
changes nothing; one event that fails holds back no other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.events import services as events
from portal.events.models import Event
from portal.events.registry import handlers_for
from portal.insight.models import FunnelDaily, LeadDaily, LeadFact, PointsDaily, ReferrerMonth
from portal.insight.services import insight_rebuild
from portal.leads.models import Lead
from portal.rewards import submissions
from portal.rewards.models import BadgeAward, LedgerEntry, PointsAccount, Tier, TierChange
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
