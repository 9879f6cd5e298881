# SPDX-License-Identifier: AGPL-3.0-or-later
"""Publishing domain events into the outbox, and handling them (SPEC §15).

``publish`` writes one row in the caller's transaction. After commit the event is handed
to a worker (a Celery task; inline in the embedded default and in tests), which runs each
subscribed handler once, in its own transaction, and the events of one aggregate in the
order they were written. A beat sweep takes what a lost task or a dead worker left behind,
once its lease has expired.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from portal.core.sql import PendingPk, pk_or_pending

from .models import Event, HandlerRun
from .registry import Handler, handlers_for

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300
_local = threading.local()  # .handling: handlers running in this thread


def aggregate_key(*, aggregate: models.Model | str) -> Any:
    """ "lead:42" for a model instance; a string is taken as it is. For an instance not
    written yet, the key it will have (``PendingPk``: see ``event_build``). Pure."""
    if isinstance(aggregate, str):
        return aggregate
    return pk_or_pending(aggregate, prefix=f"{aggregate._meta.model_name}:")


def publish(
    *,
    name: str,
    aggregate: models.Model | str,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Write ``name`` about ``aggregate`` into the outbox, in the caller's transaction.

    Locks nothing. Nothing is handled unless the transaction commits; after it commits,
    the subscribed handlers run (on a worker, or inline in the embedded default). An event
    nobody subscribes to is recorded as handled at once."""
    event = event_build(name=name, aggregate=aggregate, payload=payload, occurred_at=occurred_at)
    event.save(force_insert=True)
    event_published(event=event)
    return event


def publish_many(*, events: Sequence[Event]) -> list[Event]:
    """Write ``events`` (unsaved rows from ``event_build``, whose aggregates are written
    already) into the outbox in the caller's transaction, with one INSERT, in their order:
    the order in which the handlers of each aggregate see them, as if each had been
    ``publish``-ed in turn.

    Locks nothing. Publishes exactly these events, of whatever names they carry: nothing is
    handled unless the transaction commits; after it commits, each subscribed handler runs
    (on a worker, or inline in the embedded default; one a handler publishes is handled
    with the others it published, as for ``publish``). An event nobody subscribes to was
    built handled. Returns the events, written."""
    rows = list(events)
    if not rows:
        return rows
    assert not any(isinstance(e.aggregate, PendingPk) for e in rows), "aggregate not written"
    Event.objects.bulk_create(rows)
    for event in rows:
        assert event.pk is not None, "the database returned no keys"
        event_published(event=event)
    return rows


def event_build(
    *,
    name: str,
    aggregate: models.Model | str,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """The outbox row ``publish`` writes, unsaved. ``aggregate`` may be a new row not
    written yet (its key, also as a top-level payload value from ``pk_or_pending``, is
    filled in when both are written in one statement by ``portal.core.sql.rows_insert``);
    once written, call ``event_published``. Pure."""
    now = timezone.now()
    return Event(
        name=name,
        aggregate=aggregate_key(aggregate=aggregate),
        payload=payload or {},
        occurred_at=occurred_at or now,
        created_at=now,
        handled_at=None if handlers_for(name) else now,
    )


def event_published(*, event: Event) -> None:
    """After ``event`` is written in the caller's transaction: once that commits, hand it
    to the handlers (an event nobody subscribes to was written handled)."""
    if event.handled_at is None:
        transaction.on_commit(partial(_kick, event.pk))


def _kick(event_id: int) -> None:
    """After commit: hand the event to a worker. A broker that is away must not fail the
    request that already committed: the sweep will find the event. An event a handler
    published (the points after a status change) is handled at once where that handler
    ran, without a trip through the broker: the boards people watch live follow sooner."""
    if getattr(_local, "handling", 0):
        if (kicked := getattr(_local, "kicked", None)) is not None:
            kicked.append(event_id)  # handled with the others the same handler published
            return
        try:
            event_handle(event_id=event_id)
        except Exception:
            if settings.EVENTS_RAISE:
                raise
            log.warning("event %s failed; the sweep will retry it", event_id, exc_info=True)
        return
    _wake_worker(event_id)


# A commit wakes a worker only when no wake-up is pending: under load, one task (and one
# broker message) serves many submissions. The flag lives in the default cache, which is
# Redis whenever a worker runs the tasks (without Redis, tasks run inline: settings).
WAKE_KEY = "events:wake-up"
# Long enough to cover a task waiting in the queue; past it a commit enqueues another
# (harmless: a task that finds nothing claims nothing). A lost task costs at most this.
WAKE_TTL_SECONDS = 10


def _wake_worker(event_id: int) -> None:
    """Enqueue ``events_dispatch`` unless a wake-up is already pending: the worker clears
    the flag before it claims, so an event committed while the flag was set is claimed by
    that worker. A cache or broker that is away must not fail the request that already
    committed: the sweep finds the event."""
    try:
        pending = not cache.add(WAKE_KEY, 1, WAKE_TTL_SECONDS)
    except Exception:
        pending = False  # the cache is away: wake anyway (the broker may still answer)
        log.warning("could not check the wake-up flag for event %s", event_id, exc_info=True)
    if pending:
        return
    try:
        from .tasks import events_dispatch

        events_dispatch.delay(event_id)
    except Exception:
        _wake_flag_clear()  # the next commit tries again
        if settings.EVENTS_RAISE:
            raise
        log.warning(
            "could not dispatch event %s; the sweep will handle it", event_id, exc_info=True
        )


def _wake_flag_clear() -> None:
    try:
        cache.delete(WAKE_KEY)
    except Exception:
        log.warning("could not clear the wake-up flag", exc_info=True)  # it expires


def events_woken(*, event_id: int, recheck: bool = True) -> int:
    """A worker woken after a commit (``events_dispatch``): clear the wake-up flag, so a
    commit from now on wakes a worker again, then handle ``event_id`` and whatever else
    waits. The claims come after the clearing: an event committed while the flag was set
    (its commit enqueued nothing) is claimed here, one committed after it wakes a worker
    itself. With ``recheck`` (a worker; inline handling in the request skips the query),
    when claimable events are left (the handling stopped at its limit, or a whole batch
    failed), wakes a worker again. Returns how many events were handled. Locks nothing
    beyond the claims."""
    _wake_flag_clear()
    handled = event_handle(event_id=event_id)
    if recheck and _claimable(timezone.now()).exists():
        _wake_worker(event_id)
    return handled


def _claimable(now: datetime) -> models.QuerySet[Event]:
    earlier = Event.objects.filter(
        aggregate=OuterRef("aggregate"), handled_at__isnull=True, pk__lt=OuterRef("pk")
    )
    return Event.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), handled_at__isnull=True
    ).filter(~Exists(earlier))


def _db_time(value: datetime) -> Any:
    """A datetime as the database stores it (raw SQL below bypasses the ORM's fields)."""
    return connection.ops.adapt_datetimefield_value(value)


def _claim(event_ids: list[int], now: datetime, *, more: int = 0) -> list[Event]:
    """Take events for ``EVENTS_LEASE_SECONDS`` with one conditional UPDATE that returns
    the rows: those of ``event_ids``, and up to ``more`` other waiting ones, oldest first
    (a worker under load handles them together). Only an event that is unhandled, that
    nobody holds, and whose aggregate has no earlier unhandled event is taken. Two
    workers never take the same event: the UPDATE re-checks the lease on each row."""
    lease = now + timedelta(seconds=settings.EVENTS_LEASE_SECONDS)
    table = Event._meta.db_table
    earlier = f"SELECT 1 FROM {table} earlier WHERE earlier.aggregate = e.aggregate"  # noqa: S608
    free = (
        "e.handled_at IS NULL AND (e.lease_until IS NULL OR e.lease_until < %s) AND NOT "
        f"EXISTS ({earlier} AND earlier.handled_at IS NULL AND earlier.id < e.id)"
    )
    wanted = ", ".join(["%s"] * len(event_ids)) or "NULL"
    chosen = f"SELECT e.id FROM {table} e WHERE e.id IN ({wanted}) AND {free}"  # noqa: S608
    params: list[Any] = [*event_ids, _db_time(now)]
    if more:
        chosen += f" UNION SELECT id FROM (SELECT e.id FROM {table} e WHERE {free} ORDER BY e.id LIMIT %s) oldest"  # noqa: S608
        params += [_db_time(now), more]
    claimed = list(
        Event.objects.raw(
            f"UPDATE {table} SET lease_until = %s, attempts = attempts + 1 "  # noqa: S608
            f"WHERE id IN ({chosen}) AND handled_at IS NULL "
            "AND (lease_until IS NULL OR lease_until < %s) RETURNING *",
            [_db_time(lease), *params, _db_time(now)],
        )
    )
    return sorted(claimed, key=lambda event: event.pk)


def _claim_runs(events: list[Event], handler_key: str) -> set[int]:
    """Record that ``handler_key`` handles ``events``, in the caller's transaction; returns
    the ids it had not handled yet (the others are retries). One statement, no savepoint:
    the unique constraint answers (a concurrent claim waits for the other transaction)."""
    table = HandlerRun._meta.db_table
    now = _db_time(timezone.now())
    rows = ", ".join(["(%s, %s, %s)"] * len(events))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, handler, handled_at) VALUES {rows} "  # noqa: S608
            "ON CONFLICT (event_id, handler) DO NOTHING RETURNING event_id",
            [value for event in events for value in (event.pk, handler_key, now)],
        )
        return {row[0] for row in cursor.fetchall()}


def _failed(event: Event, handler_key: str, exc: Exception) -> None:
    log.warning("handler %s failed on event %s", handler_key, event.pk, exc_info=True)
    delay = min(MAX_BACKOFF_SECONDS, 2 ** min(event.attempts, 16))
    Event.objects.filter(pk=event.pk).update(
        last_error=f"{handler_key}: {exc.__class__.__name__}: {exc}"[:2000],
        lease_until=timezone.now() + timedelta(seconds=delay),
    )


def _run_handler(handler: Handler, events: list[Event]) -> set[int]:
    """Run one handler on the events it has not handled yet, in one transaction with its
    claims (a ``batch`` handler gets them as one list); when it fails, once more event by
    event, each in its own transaction, so one bad event holds back nobody else. Returns
    the ids it failed on."""
    try:
        with transaction.atomic():
            todo = _claim_runs(events, handler.key)
            if handler.batch:
                if fresh := [event for event in events if event.pk in todo]:
                    handler.func(fresh)
            else:
                for event in events:
                    if event.pk in todo:
                        handler.func(event)
        return set()
    except Exception as exc:
        if len(events) == 1:
            _failed(events[0], handler.key, exc)
            if settings.EVENTS_RAISE:
                raise
            return {events[0].pk}
    failed: set[int] = set()
    for event in events:
        failed |= _run_handler(handler, [event])
    return failed


def _run_handlers(events: list[Event]) -> list[Event]:
    """Run every subscribed handler on the events, in the handlers' order: each handler on
    all the events of its name before the next handler (a handler that fails on an event
    holds back no other handler). Returns the events every handler has handled."""
    failed: set[int] = set()
    by_name: dict[str, list[Event]] = {}
    for event in events:
        by_name.setdefault(event.name, []).append(event)
    for name, group in by_name.items():
        for handler in handlers_for(name):
            _local.handling = getattr(_local, "handling", 0) + 1
            outer, _local.kicked = getattr(_local, "kicked", None), []
            try:
                failed |= _run_handler(handler, group)
                kicked, _local.kicked = _local.kicked, None
                if kicked:  # what this handler published, at once and together
                    _handle(kicked, now=timezone.now(), more=0)
            except Exception:
                if settings.EVENTS_RAISE:
                    raise
                log.warning("events published by %s wait for the sweep", handler.key, exc_info=True)
            finally:
                _local.handling -= 1
                _local.kicked = outer
    return [event for event in events if event.pk not in failed]


def _finish(events: list[Event]) -> list[int]:
    """Record the events handled, and return the next unhandled event of each of their
    aggregates."""
    table = Event._meta.db_table
    ids = [event.pk for event in events]
    aggregates = sorted({event.aggregate for event in events})
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"UPDATE {table} SET handled_at = %s, lease_until = NULL, last_error = '' "  # noqa: S608
            f"WHERE id IN ({marks})",
            [_db_time(timezone.now()), *ids],
        )
        marks = ", ".join(["%s"] * len(aggregates))
        cursor.execute(
            f"SELECT MIN(id) FROM {table} WHERE aggregate IN ({marks}) "  # noqa: S608
            "AND handled_at IS NULL GROUP BY aggregate",
            aggregates,
        )
        return sorted(row[0] for row in cursor.fetchall())


def event_handle(*, event_id: int, now: datetime | None = None, limit: int = 500) -> int:
    """Handle an event, then the next events of its aggregate while there are any; under
    load, other waiting events with it (up to ``EVENTS_BATCH_SIZE`` at a time): each
    handler then runs on all of them in one transaction.

    Claims each event with a lease (a worker killed midway leaves it to the sweep once the
    lease expires); each handler runs once per event, in a transaction with its claim.
    Events of one aggregate are handled in the order they were written. Returns how many
    events were handled completely (stops after about ``limit``). Locks nothing beyond
    the claims; what the handlers lock and publish is theirs (what they publish is
    handled as soon as their transaction commits: ``_kick``)."""
    return _handle([event_id], now=now, more=settings.EVENTS_BATCH_SIZE, limit=limit)


def _handle(wanted: list[int], *, now: datetime | None, more: int, limit: int = 500) -> int:
    """Claim ``wanted`` (and up to ``more`` other waiting events), run the handlers, then
    the next events of the same aggregates (and, with ``more``, whatever else waits)."""
    handled = 0
    while handled < limit:
        events = _claim(wanted, now or timezone.now(), more=more)
        done = _run_handlers(events) if events else []
        if not done:
            break
        handled += len(done)
        wanted = _finish(done)
        if not wanted and not more:
            break
    return handled


def events_drain(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: handle unhandled events whose lease is free or expired, oldest first.
    Safe to run on several workers at once (claims are exclusive). Returns how many
    events were handled completely. Locks nothing beyond the claims."""
    now = now or timezone.now()
    handled = 0
    tried: set[int] = set()
    while handled < limit:
        # One call takes the oldest claimable event and, batch by batch, whatever else
        # waits (handlers' own events too). An event that failed was put off (its lease),
        # so the next pass starts from another; one that could not be taken is not tried
        # again in this sweep.
        first = (
            _claimable(now)
            .exclude(pk__in=tried)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if first is None:
            break
        tried.add(first)
        handled += event_handle(event_id=first, now=now, limit=limit - handled)
    return handled


PRUNE_CHUNK = 5000


def events_prune(*, now: datetime | None = None, keep_days: int | None = None) -> int:
    """Delete the events handled more than ``keep_days`` (``EVENTS_KEEP_DAYS``) ago, with
    the record of their handlers, oldest first, a few thousand per transaction. An
    unhandled event is kept however old it is. Returns how many events it deleted. Locks
    the rows it deletes; publishes nothing."""
    keep = settings.EVENTS_KEEP_DAYS if keep_days is None else keep_days
    before = (now or timezone.now()) - timedelta(days=keep)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                Event.objects.filter(handled_at__lt=before)
                .order_by("pk")
                .values_list("pk", flat=True)[:PRUNE_CHUNK]
            )
            if not ids:
                return deleted
            Event.objects.filter(pk__in=ids).delete()  # their handler runs with them
        deleted += len(ids)
