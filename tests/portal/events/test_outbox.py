# SPDX-License-Identifier: AGPL-3.0-or-later
"""The event spine: publish into the outbox in the caller's transaction, handlers once
each after commit, in order per aggregate, leases for dead workers, the health check."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.events.models import Event, HandlerRun
from portal.events.registry import subscribe
from portal.events.services import event_handle, events_drain, publish

calls: list[tuple[str, int, str]] = []
fail: dict[str, int] = {}


class Killed(BaseException):
    """A worker dying midway: not an Exception, so nothing in the dispatcher catches it."""


@subscribe("test.thing")
def first_handler(event):
    calls.append(("first", event.pk, event.payload.get("n")))


@subscribe("test.thing")
def second_handler(event):
    if fail.get("second"):
        fail["second"] -= 1
        raise RuntimeError("second handler is broken")
    if fail.get("kill"):
        fail["kill"] -= 1
        raise Killed
    calls.append(("second", event.pk, event.payload.get("n")))


@subscribe("test.parent")
def parent_handler(event):
    calls.append(("parent", event.pk, event.payload.get("n")))
    publish(name="test.thing", aggregate="child:1", payload={"n": event.payload.get("n")})


@pytest.fixture(autouse=True)
def _clean(settings):
    calls.clear()
    fail.clear()
    settings.EVENTS_RAISE = False
    yield


def test_handlers_run_once_after_commit(db):
    with transaction.atomic():
        event = publish(name="test.thing", aggregate="thing:1", payload={"n": 1})
        assert calls == []  # nothing before commit
    assert calls == [("first", event.pk, 1), ("second", event.pk, 1)]
    event.refresh_from_db()
    assert event.handled_at is not None and event.attempts == 1
    assert event_handle(event_id=event.pk) == 0  # handled: a second dispatch does nothing
    Event.objects.filter(pk=event.pk).update(handled_at=None)  # even forced to run again,
    event_handle(event_id=event.pk)
    assert len(calls) == 2  # the claims stop a second run
    assert HandlerRun.objects.filter(event=event).count() == 2


def test_what_a_handler_publishes_is_handled_next_by_the_same_worker(db, monkeypatch):
    from portal.events import services

    kicked: list[int] = []
    monkeypatch.setattr(services, "_kick", kicked.append)
    parent = publish(name="test.parent", aggregate="parent:1", payload={"n": 5})
    assert kicked == [parent.pk]  # outside a handler: dispatched after commit
    assert event_handle(event_id=parent.pk) == 2
    child = Event.objects.get(name="test.thing")
    # No broker round trip for the child: the worker handled it right after its parent.
    assert kicked == [parent.pk]
    assert calls == [("parent", parent.pk, 5), ("first", child.pk, 5), ("second", child.pk, 5)]
    child.refresh_from_db()
    assert child.handled_at is not None


def test_a_rollback_publishes_nothing(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publish(name="test.thing", aggregate="thing:1", payload={"n": 1})
        1 / 0  # noqa: B018
    assert not Event.objects.exists() and calls == []


def test_an_event_nobody_subscribes_to_is_handled_at_once(db):
    event = publish(name="test.nobody-listens", aggregate="thing:1")
    assert event.handled_at is not None


def test_a_failing_handler_is_retried_and_later_events_of_its_aggregate_wait(db):
    fail["second"] = 1
    one = publish(name="test.thing", aggregate="thing:7", payload={"n": 1})
    two = publish(name="test.thing", aggregate="thing:7", payload={"n": 2})
    other = publish(name="test.thing", aggregate="thing:8", payload={"n": 3})
    one.refresh_from_db()
    assert one.handled_at is None and "second handler is broken" in one.last_error
    assert one.lease_until > timezone.now()  # backing off
    # The first handler committed its part once; the second event waits for the first;
    # another aggregate is not held up.
    assert ("first", one.pk, 1) in calls and ("second", one.pk, 1) not in calls
    assert not [c for c in calls if c[1] == two.pk]
    assert ("second", other.pk, 3) in calls
    # The sweep after the back-off handles both, in order, the first handler not again.
    assert events_drain(now=timezone.now() + timedelta(minutes=10)) == 2
    mine = [c for c in calls if c[1] in (one.pk, two.pk)]
    assert mine == [
        ("first", one.pk, 1),
        ("second", one.pk, 1),
        ("first", two.pk, 2),
        ("second", two.pk, 2),
    ]


def test_a_worker_killed_between_claim_and_finish_is_handled_once_after_the_lease(db, settings):
    fail["kill"] = 1
    with pytest.raises(Killed):
        publish(name="test.thing", aggregate="thing:9", payload={"n": 9})
    event = Event.objects.get(aggregate="thing:9")
    assert event.handled_at is None and event.lease_until > timezone.now()
    assert calls == [("first", event.pk, 9)]
    # Another worker's sweep leaves it alone while the lease holds ...
    assert events_drain() == 0
    # ... and takes it once the lease has expired: each handler has run exactly once.
    later = timezone.now() + timedelta(seconds=settings.EVENTS_LEASE_SECONDS + 1)
    assert events_drain(now=later) == 1
    assert calls == [("first", event.pk, 9), ("second", event.pk, 9)]
    event.refresh_from_db()
    assert event.handled_at is not None and event.attempts == 2


def test_healthz_reports_the_backlog_and_fails_past_the_limit(client, db, settings):
    settings.EVENTS_MAX_AGE_SECONDS = 60
    fail["second"] = 1
    publish(name="test.thing", aggregate="thing:3", payload={"n": 1})
    body = client.get(reverse("healthz")).json()
    assert body["events"]["status"] == "ok" and body["events"]["pending"] == 1
    Event.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["events"]["status"] == "down"
    assert response.json()["events"]["oldest_age_seconds"] >= 61


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_handle_each_event_once():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    from django.db import connections
    from django.test import override_settings

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, EVENTS_RAISE=False):
        # No dispatch on commit: the events wait for the sweepers.
        from portal.events import services

        original, services._kick = services._kick, lambda event_id: None
        try:
            events = [
                publish(name="test.thing", aggregate=f"thing:{i % 5}", payload={"n": i})
                for i in range(40)
            ]
        finally:
            services._kick = original
        barrier = threading.Barrier(3)

        def sweep():
            barrier.wait()
            try:
                events_drain()
            finally:
                connections.close_all()

        workers = [threading.Thread(target=sweep) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert Event.objects.filter(handled_at__isnull=True).count() == 0
    for event in events:
        assert sorted(c[0] for c in calls if c[1] == event.pk) == ["first", "second"]
    # Per aggregate, in the order written.
    for aggregate in {e.aggregate for e in events}:
        ids = [e.pk for e in events if e.aggregate == aggregate]
        seen = [c[1] for c in calls if c[0] == "first" and c[1] in ids]
        assert seen == ids
