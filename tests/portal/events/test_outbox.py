# SPDX-License-Identifier: AGPL-3.0-or-later
"""The event spine: publish into the outbox in the caller's transaction, handlers once
each after commit, in order per aggregate, leases for dead workers, the health check."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.events.models import Event, HandlerRun
from portal.events.registry import subscribe
from portal.events.services import (
    event_build,
    event_handle,
    events_drain,
    publish,
    publish_many,
)

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
    if fail.get("second_n") is not None and event.payload.get("n") == fail["second_n"]:
        raise RuntimeError("second handler fails on this one")
    if fail.get("kill"):
        fail["kill"] -= 1
        raise Killed
    calls.append(("second", event.pk, event.payload.get("n")))


@subscribe("test.ordered")
def counter_handler(event):
    calls.append(("counter", event.pk, None))


@subscribe("test.ordered", first=True)
def live_handler(event):
    calls.append(("live", event.pk, None))


@subscribe("test.parent")
def parent_publishes(event):
    calls.append(("parent", event.pk, None))
    publish(name="test.child", aggregate="child:1")


@subscribe("test.parent")
def parent_after(event):
    calls.append(("parent-after", event.pk, None))


@subscribe("test.child")
def child_handler(event):
    calls.append(("child", event.pk, None))


@subscribe("test.parent-of-many")
def parent_publishes_many(event):
    calls.append(("parent", event.pk, None))
    publish_many(events=[event_build(name="test.child", aggregate=f"child:{n}") for n in range(2)])


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


def test_a_handler_marked_first_runs_before_those_registered_earlier(db):
    # Points and boards, which people watch live, do not wait behind e-mails and counters.
    event = publish(name="test.ordered", aggregate="thing:9")
    assert [name for name, _pk, _n in calls] == ["live", "counter"]
    assert HandlerRun.objects.filter(event=event).count() == 2


def test_points_reach_the_boards_before_the_status_change_s_other_handlers_run():
    from portal.events.registry import handlers_for

    assert handlers_for("lead.status_changed")[0].key == "portal.rewards.handlers.apply_status"
    assert handlers_for("points.recorded")[0].key == "leaderboard.handlers.move_boards"


def test_an_event_a_handler_publishes_is_handled_at_once_on_the_worker(db, settings, monkeypatch):
    # On a worker (no eager Celery), the points a status change earns reach the boards
    # right after the handler that recorded them, not after a trip through the broker.
    from portal.events import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(tasks.events_dispatch, "delay", sent.append)
    parent = publish(name="test.parent", aggregate="parent:1")
    assert sent == [parent.pk] and calls == []  # the request's event goes to the broker
    assert event_handle(event_id=parent.pk) == 1  # the worker takes it
    assert [name for name, _pk, _n in calls] == ["parent", "child", "parent-after"]
    assert sent == [parent.pk]  # the child never went through the broker
    assert not Event.objects.filter(handled_at__isnull=True).exists()


def test_a_rollback_publishes_nothing(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publish(name="test.thing", aggregate="thing:1", payload={"n": 1})
        1 / 0  # noqa: B018
    assert not Event.objects.exists() and calls == []


def test_publish_many_writes_its_events_in_one_insert_each_handled_as_published(db):
    built = [
        event_build(name="test.thing", aggregate="thing:1", payload={"n": 1}),
        event_build(name="test.ordered", aggregate="thing:2"),
        event_build(name="test.thing", aggregate="thing:1", payload={"n": 2}),
        event_build(name="test.nobody-listens", aggregate="thing:3"),
    ]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        written = publish_many(events=built)
        assert calls == []  # nothing before commit
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "events_event"')]
    assert len(inserts) == 1
    assert written == built and [e.pk for e in written] == sorted(e.pk for e in written)
    one, ordered, two, nobody = written
    # Each handled after commit, thing:1's second after its first.
    assert calls == [
        ("first", one.pk, 1),
        ("second", one.pk, 1),
        ("live", ordered.pk, None),
        ("counter", ordered.pk, None),
        ("first", two.pk, 2),
        ("second", two.pk, 2),
    ]
    assert nobody.handled_at is not None
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert publish_many(events=[]) == []


def test_publish_many_in_a_rollback_publishes_nothing(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publish_many(events=[event_build(name="test.thing", aggregate="thing:1")])
        1 / 0  # noqa: B018
    assert not Event.objects.exists() and calls == []


def test_events_a_handler_publishes_many_at_once_are_handled_at_once_on_the_worker(
    db, settings, monkeypatch
):
    from portal.events import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(tasks.events_dispatch, "delay", sent.append)
    parent = publish(name="test.parent-of-many", aggregate="parent:1")
    assert event_handle(event_id=parent.pk) == 1
    children = list(Event.objects.filter(name="test.child").order_by("pk"))
    assert calls == [("parent", parent.pk, None)] + [("child", c.pk, None) for c in children]
    assert len(children) == 2 and sent == [parent.pk]  # the children never went to the broker
    assert not Event.objects.filter(handled_at__isnull=True).exists()


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


def _backlog(monkeypatch, count: int) -> list[Event]:
    """Events written while no worker took them (the broker away, or a busy worker)."""
    from portal.events import services

    monkeypatch.setattr(services, "_kick", lambda event_id: None)
    events = [
        publish(name="test.thing", aggregate=f"thing:{n}", payload={"n": n}) for n in range(count)
    ]
    monkeypatch.undo()
    return events


def test_a_worker_takes_the_waiting_events_together_each_handler_once(db, settings, monkeypatch):
    settings.EVENTS_BATCH_SIZE = 4
    events = _backlog(monkeypatch, 6)
    assert event_handle(event_id=events[0].pk) == 6
    # Each handler on a batch of events before the next handler: first x4, second x4, ...
    assert [c[0] for c in calls] == ["first"] * 4 + ["second"] * 4 + ["first"] * 2 + ["second"] * 2
    assert sorted(c[2] for c in calls if c[0] == "second") == list(range(6))
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert HandlerRun.objects.count() == 12
    assert event_handle(event_id=events[3].pk) == 0  # its own task, arriving late: nothing left


def test_a_handler_failing_on_one_event_of_a_batch_holds_back_no_other(db, settings, monkeypatch):
    settings.EVENTS_BATCH_SIZE = 10
    events = _backlog(monkeypatch, 4)
    fail["second_n"] = 2
    assert event_handle(event_id=events[0].pk) == 3
    broken = Event.objects.get(pk=events[2].pk)
    assert broken.handled_at is None and "second handler fails" in broken.last_error
    second_runs = HandlerRun.objects.filter(handler__endswith="second_handler")
    assert sorted(second_runs.values_list("event_id", flat=True)) == sorted(
        e.pk for e in events if e.pk != broken.pk
    )
    assert HandlerRun.objects.filter(handler__endswith="first_handler").count() == 4
    fail.clear()
    calls.clear()
    assert events_drain(now=timezone.now() + timedelta(minutes=10)) == 1
    assert calls == [("second", broken.pk, 2)]  # only what had not run, once
    assert HandlerRun.objects.count() == 8


@subscribe("test.batch", batch=True)
def batch_handler(events):
    if any(e.payload.get("n") == fail.get("batch_n") for e in events):
        raise RuntimeError("batch handler fails on this one")
    calls.append(("batch", len(events), ",".join(str(e.payload["n"]) for e in events)))


def test_a_batch_handler_gets_the_batch_as_one_list_and_a_failure_one_event_at_a_time(
    db, settings, monkeypatch
):
    from portal.events import services

    settings.EVENTS_BATCH_SIZE = 10
    monkeypatch.setattr(services, "_kick", lambda event_id: None)
    events = [
        publish(name="test.batch", aggregate=f"thing:{n}", payload={"n": n}) for n in range(4)
    ]
    monkeypatch.undo()
    assert event_handle(event_id=events[0].pk) == 4
    assert calls == [("batch", 4, "0,1,2,3")]
    # Handled again (a retried task): the claims hold, the handler gets nothing.
    calls.clear()
    Event.objects.update(handled_at=None, lease_until=None)
    assert events_drain() == 4
    assert calls == []

    # One event it fails on: the others are handled, each on its own; that one waits.
    monkeypatch.setattr(services, "_kick", lambda event_id: None)
    more = [
        publish(name="test.batch", aggregate=f"other:{n}", payload={"n": n}) for n in range(4, 7)
    ]
    monkeypatch.undo()
    fail["batch_n"] = 5
    assert event_handle(event_id=more[0].pk) == 2
    assert calls == [("batch", 1, "4"), ("batch", 1, "6")]
    broken = Event.objects.get(pk=more[1].pk)
    assert broken.handled_at is None and "batch handler fails" in broken.last_error
    fail.clear()
    calls.clear()
    assert events_drain(now=timezone.now() + timedelta(minutes=10)) == 1
    assert calls == [("batch", 1, "5")]


@pytest.fixture
def broker(monkeypatch) -> list[int]:
    """The broker: what each commit enqueued for a worker (nothing runs until the test
    runs the task, as a worker would)."""
    from portal.events import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.events_dispatch, "delay", sent.append)
    return sent


def test_commits_while_a_wake_up_is_pending_enqueue_nothing_and_its_worker_takes_them(db, broker):
    from portal.events.tasks import events_dispatch

    events = [
        publish(name="test.thing", aggregate=f"thing:{n}", payload={"n": n}) for n in range(5)
    ]
    assert broker == [events[0].pk] and calls == []  # one wake-up for five commits
    assert events_dispatch(events[0].pk) == 5  # the worker takes every waiting event
    assert sorted(c[2] for c in calls if c[0] == "second") == list(range(5))
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    # The worker cleared the flag: the next commit wakes a worker again.
    later = publish(name="test.thing", aggregate="thing:9", payload={"n": 9})
    assert broker == [events[0].pk, later.pk]


def test_an_event_committed_while_the_worker_handles_is_never_left_waiting(db, broker, monkeypatch):
    """The worker clears the flag before it claims: an event committed during its work
    either is claimed by it or finds the flag clear and wakes a worker itself."""
    from portal.events import services
    from portal.events.tasks import events_dispatch

    first = publish(name="test.thing", aggregate="thing:1", payload={"n": 1})
    claim, late = services._claim, []

    def claim_then_commit(*args, **kwargs):
        claimed = claim(*args, **kwargs)
        if not late:  # a request commits right after the worker's first claim
            late.append(publish(name="test.thing", aggregate="thing:2", payload={"n": 2}))
        return claimed

    monkeypatch.setattr(services, "_claim", claim_then_commit)
    events_dispatch(first.pk)
    assert broker == [first.pk, late[0].pk]  # the late commit found the flag clear
    events_dispatch(late[0].pk)  # that wake-up (the first worker may have taken it already)
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    assert sorted(c[2] for c in calls if c[0] == "second") == [1, 2]


def test_a_worker_that_stops_at_its_limit_wakes_another_for_the_rest(db, broker, monkeypatch):
    from portal.events import services
    from portal.events.tasks import events_dispatch

    events = [
        publish(name="test.thing", aggregate=f"thing:{n}", payload={"n": n}) for n in range(3)
    ]
    assert broker == [events[0].pk]
    broker.clear()
    monkeypatch.setattr(
        services,
        "event_handle",
        lambda event_id: services._handle([event_id], now=None, more=0, limit=1),
    )
    assert events_dispatch(events[0].pk) == 1
    assert broker == [events[0].pk]  # two left: another wake-up
    assert Event.objects.filter(handled_at__isnull=True).count() == 2


def test_with_the_cache_away_a_commit_still_wakes_a_worker(db, broker, monkeypatch):
    from portal.events import services

    def away(*args, **kwargs):
        raise ConnectionError("cache away")

    monkeypatch.setattr(services.cache, "add", away)
    monkeypatch.setattr(services.cache, "delete", away)
    first = publish(name="test.thing", aggregate="thing:1", payload={"n": 1})
    second = publish(name="test.thing", aggregate="thing:2", payload={"n": 2})
    assert broker == [first.pk, second.pk]


def test_with_the_broker_away_the_next_commit_tries_again(db, monkeypatch):
    from portal.events import tasks

    tried: list[int] = []

    def away(event_id):
        tried.append(event_id)
        raise ConnectionError("broker away")

    monkeypatch.setattr(tasks.events_dispatch, "delay", away)
    first = publish(name="test.thing", aggregate="thing:1", payload={"n": 1})  # answered
    second = publish(name="test.thing", aggregate="thing:2", payload={"n": 2})
    assert tried == [first.pk, second.pk]  # no flag left behind by the failed wake-up
    assert Event.objects.filter(handled_at__isnull=True).count() == 2  # for the sweep


def test_handled_events_go_after_the_kept_days_with_their_runs_and_waiting_ones_stay(
    db, settings, monkeypatch
):
    from portal.events.services import events_prune
    from portal.events.tasks import events_prune_task

    settings.EVENTS_KEEP_DAYS = 30
    now = timezone.now()
    old, edge, recent = (publish(name="test.thing", aggregate=f"thing:{n}") for n in range(3))
    waiting = _backlog(monkeypatch, 1)[0]
    Event.objects.filter(pk=old.pk).update(handled_at=now - timedelta(days=30, hours=1))
    Event.objects.filter(pk=edge.pk).update(handled_at=now - timedelta(days=29, hours=23))
    Event.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=90))
    assert HandlerRun.objects.filter(event=old).count() == 2

    assert events_prune(now=now) == 1
    assert not Event.objects.filter(pk=old.pk).exists()
    assert not HandlerRun.objects.filter(event_id=old.pk).exists()
    # An hour inside the window, just handled, or never handled (however old): kept.
    assert set(Event.objects.values_list("pk", flat=True)) == {edge.pk, recent.pk, waiting.pk}
    assert HandlerRun.objects.filter(event=edge).count() == 2
    assert events_prune(now=now) == 0  # a second run finds nothing
    assert events_prune_task() == 0


def test_pruning_deletes_in_chunks_until_nothing_old_is_left(db, monkeypatch):
    from portal.events import services

    monkeypatch.setattr(services, "PRUNE_CHUNK", 2)
    events = [publish(name="test.thing", aggregate=f"thing:{n}") for n in range(5)]
    Event.objects.update(handled_at=timezone.now() - timedelta(days=31))
    assert services.events_prune(keep_days=30) == 5
    assert not Event.objects.filter(pk__in=[e.pk for e in events]).exists()
    assert not HandlerRun.objects.exists()
