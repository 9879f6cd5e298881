# SPDX-License-Identifier: AGPL-3.0-or-later
"""Boards follow the ledger through events: each entry counts once however often it is
applied, a rebuild and the live updates never count an entry twice, renames reach the
boards, and with Redis away nothing a user does fails or is lost."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from leaderboard import store
from leaderboard.ranking import Board, member
from leaderboard.services import (
    board_entries_apply,
    board_entry_apply,
    boards_rebuild,
    boards_rebuild_if_lost,
)
from portal.accounts.services import organisation_update, user_update_preferences
from portal.events.models import Event
from portal.events.services import event_handle, events_drain
from portal.rewards.models import LedgerEntry
from portal.rewards.services import ledger_add
from tests.factories import PartnerUserFactory, UserFactory, submit_lead

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")
EVERYONE = Board("everyone", "points", "all")


def _score(user, board=EVERYONE):
    rows = store.RedisStore().top(board, 100)
    return next((r.total for r in rows if r.participant_id == user.pk), None)


def _all_scores():
    from leaderboard.selectors import all_boards

    redis = store.client()
    return {
        b.id: redis.zrevrange(store.redis_key(b), 0, -1, withscores=True)
        for b in all_boards()
        if redis.exists(store.redis_key(b))
    }


def test_an_entry_applied_twice_counts_once(db):
    user = UserFactory()
    entry = ledger_add(participant=user, amount=30, event="adjustment", reason="t")
    assert _score(user) == 30
    board_entry_apply(entry_id=entry.pk)  # a retry, or a second worker
    board_entry_apply(entry_id=entry.pk)
    assert _score(user) == 30


def test_a_batch_of_entries_moves_the_boards_as_a_rebuild_does_and_counts_once(db, monkeypatch):
    from portal.events import services as events

    people = [UserFactory(), UserFactory(), PartnerUserFactory(), PartnerUserFactory()]
    monkeypatch.setattr(events, "_kick", lambda event_id: None)  # the worker takes them later
    entries = [
        ledger_add(participant=person, amount=amount, event="adjustment", reason="t")
        for amount in (5, 7)
        for person in people
    ]
    monkeypatch.undo()
    assert _all_scores() == {}
    ids = [entry.pk for entry in entries]
    board_entries_apply(entry_ids=ids)
    live = _all_scores()
    assert [_score(person) for person in people] == [12, 12, 12, 12]
    board_entries_apply(entry_ids=ids)  # a retried batch
    board_entry_apply(entry_id=ids[0])  # or one of its events on its own
    assert _all_scores() == live
    boards_rebuild()
    assert _all_scores() == live


def test_a_points_event_handled_again_does_not_count_twice(db):
    user = UserFactory()
    ledger_add(participant=user, amount=12, event="adjustment", reason="t")
    event = Event.objects.get(name="points.recorded")
    Event.objects.filter(pk=event.pk).update(handled_at=None)
    from portal.events.models import HandlerRun

    HandlerRun.objects.filter(event=event).delete()  # even with its claims gone
    event_handle(event_id=event.pk)
    assert _score(user) == 12


def test_a_rebuild_and_the_live_updates_never_count_an_entry_twice(db):
    user = UserFactory()
    old = ledger_add(participant=user, amount=10, event="adjustment", reason="t")
    boards_rebuild()
    board_entry_apply(entry_id=old.pk)  # an update that arrives after the rebuild counted it
    assert _score(user) == 10
    new = ledger_add(participant=user, amount=5, event="adjustment", reason="t")
    board_entry_apply(entry_id=new.pk)
    assert _score(user) == 15
    live = _all_scores()
    boards_rebuild()
    assert _all_scores() == live


def test_boards_lost_by_redis_are_rebuilt_by_the_beat_task(db):
    user = UserFactory()
    ledger_add(participant=user, amount=7, event="adjustment", reason="t")
    boards_rebuild()
    assert boards_rebuild_if_lost() == 0  # nothing lost, nothing done
    redis = store.client()
    redis.delete(*redis.scan_iter(f"{store.KEY_PREFIX}:*"))  # Redis restarted empty
    assert boards_rebuild_if_lost() > 0
    assert _score(user) == 7


def test_a_renamed_person_and_organisation_are_renamed_on_the_boards(db, reviewer):
    person = UserFactory(first_name="Anna", last_name="Old")
    partner = PartnerUserFactory()
    ledger_add(participant=person, amount=5, event="adjustment", reason="t")
    ledger_add(participant=partner, amount=5, event="adjustment", reason="t")
    user_update_preferences(
        user=person, first_name="Anna", last_name="New", language="en", show_initials_only=False
    )
    organisation_update(
        actor=reviewer,
        organisation=partner.partner_organisation,
        name="Renamed Partners Oy",
        email_domain=partner.partner_organisation.email_domain,
        tier="",
    )
    redis = store.client()
    person_record = redis.hget(store.NAMES_KEY[False], member(person.pk)).decode()
    assert person_record.startswith("Anna New\t")
    assert redis.hget(store.NAMES_KEY[True], member(partner.partner_organisation_id)) == (
        b"Renamed Partners Oy"
    )


def test_the_nightly_rebuild_refreshes_display_names(db):
    from portal.accounts.models import User

    person = UserFactory(first_name="Bo", last_name="Before")
    ledger_add(participant=person, amount=5, event="adjustment", reason="t")
    User.objects.filter(pk=person.pk).update(last_name="After")  # changed behind our back
    boards_rebuild()
    record = store.client().hget(store.NAMES_KEY[False], member(person.pk)).decode()
    assert record.startswith("Bo After\t")


def test_with_redis_away_submit_and_qualify_succeed_and_nothing_is_lost(
    client, employee, reviewer, program, settings
):
    settings.EVENTS_RAISE = False  # as in production: a failing handler waits for the sweep
    up = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"
    store._client = None
    try:
        client.force_login(employee)
        response = client.post(
            reverse("leads:new"),
            {
                "program": program.pk,
                "name": "Offline Prospect",
                "email": "offline@prospect.example",
                "consent": "on",
            },
        )
        assert response.status_code == 302
        lead = employee.leads.get()
        client.force_login(reviewer)
        response = client.post(reverse("leads_admin:act", args=[lead.pk]), {"action": "qualify"})
        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.status == "qualified"
        # Points are in the ledger (the database is up); the boards are behind.
        assert sum(e.amount for e in LedgerEntry.objects.filter(lead=lead)) == 60
        assert Event.objects.filter(handled_at__isnull=True, name="points.recorded").exists()
    finally:
        settings.REDIS_URL = up
        store._client = None
    # Redis is back: the sweep applies what waited, and the boards equal a rebuild.
    events_drain(now=timezone.now() + timedelta(hours=1))
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert _score(employee) == 60
    live = _all_scores()
    boards_rebuild()
    assert _all_scores() == live


@pytest.mark.django_db(transaction=True)
def test_the_submitter_hears_of_their_new_balance_live():
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from leaderboard.push import user_group
    from tests.factories import ProgramFactory

    employee = UserFactory()
    program = ProgramFactory()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(employee.pk), channel)
        try:
            await database_sync_to_async(submit_lead)(employee, program)
            message = json.loads((await asyncio.wait_for(layer.receive(channel), 5))["text"])
            assert message["type"] == "me"
            assert (message["balance"], message["board_score"], message["rank"]) == (10, 10, 1)
        finally:
            await layer.group_discard(user_group(employee.pk), channel)

    async_to_sync(scenario)()
