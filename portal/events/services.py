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
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Event, HandlerRun
from .registry import handlers_for

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300
_local = threading.local()  # .handling: handlers running in this thread


def aggregate_key(*, aggregate: models.Model | str) -> str:
    """ "lead:42" for a model instance; a string is taken as it is. Pure."""
    if isinstance(aggregate, str):
        return aggregate
    return f"{aggregate._meta.model_name}:{aggregate.pk}"


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
    now = timezone.now()
    subscribed = bool(handlers_for(name))
    event = Event.objects.create(
        name=name,
        aggregate=aggregate_key(aggregate=aggregate),
        payload=payload or {},
        occurred_at=occurred_at or now,
        created_at=now,
        handled_at=None if subscribed else now,
    )
    if subscribed:
        transaction.on_commit(partial(_kick, event.pk))
    return event


def _kick(event_id: int) -> None:
    """After commit: hand the event to a worker. A broker that is away must not fail the
    request that already committed: the sweep will find the event. An event a handler
    published (the points after a status change) is handled at once where that handler
    ran, without a trip through the broker: the boards people watch live follow sooner."""
    if getattr(_local, "handling", 0):
        try:
            event_handle(event_id=event_id)
        except Exception:
            if settings.EVENTS_RAISE:
                raise
            log.warning("event %s failed; the sweep will retry it", event_id, exc_info=True)
        return
    try:
        from .tasks import events_dispatch

        events_dispatch.delay(event_id)
    except Exception:
        if settings.EVENTS_RAISE:
            raise
        log.warning(
            "could not dispatch event %s; the sweep will handle it", event_id, exc_info=True
        )


def _claimable(now: datetime) -> models.QuerySet[Event]:
    earlier = Event.objects.filter(
        aggregate=OuterRef("aggregate"), handled_at__isnull=True, pk__lt=OuterRef("pk")
    )
    return Event.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), handled_at__isnull=True
    ).filter(~Exists(earlier))


def _claim(event_id: int, now: datetime) -> Event | None:
    """Take the event for ``EVENTS_LEASE_SECONDS`` with one conditional UPDATE: only when
    it is unhandled, nobody holds it, and every earlier event of its aggregate is handled."""
    lease = now + timedelta(seconds=settings.EVENTS_LEASE_SECONDS)
    claimed = (
        _claimable(now).filter(pk=event_id).update(lease_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Event.objects.get(pk=event_id)


def _claim_run(event: Event, handler_key: str) -> bool:
    """Record that ``handler_key`` handles ``event``, in the caller's transaction: False
    when a run is recorded already (a retry). One statement, no savepoint: the unique
    constraint answers (a concurrent claim waits for the other transaction to end)."""
    table = HandlerRun._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, handler, handled_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (event_id, handler) DO NOTHING",
            [event.pk, handler_key, timezone.now()],
        )
        return cursor.rowcount == 1


def _run_handlers(event: Event) -> bool:
    """Run every handler that has not handled the event yet. Returns True when all have."""
    ok = True
    for handler in handlers_for(event.name):
        _local.handling = getattr(_local, "handling", 0) + 1
        try:
            with transaction.atomic():
                if not _claim_run(event, handler.key):
                    continue  # this handler has handled the event already (a retry)
                handler.func(event)
        except Exception as exc:
            ok = False
            log.warning("handler %s failed on event %s", handler.key, event.pk, exc_info=True)
            delay = min(MAX_BACKOFF_SECONDS, 2 ** min(event.attempts, 16))
            Event.objects.filter(pk=event.pk).update(
                last_error=f"{handler.key}: {exc.__class__.__name__}: {exc}"[:2000],
                lease_until=timezone.now() + timedelta(seconds=delay),
            )
            if settings.EVENTS_RAISE:
                raise
        finally:
            _local.handling -= 1
    if ok:
        Event.objects.filter(pk=event.pk).update(
            handled_at=timezone.now(), lease_until=None, last_error=""
        )
    return ok


def event_handle(*, event_id: int, now: datetime | None = None) -> int:
    """Handle one event, then the next events of its aggregate while there are any.

    Claims each event with a lease (a worker killed midway leaves it to the sweep once the
    lease expires); each handler runs once per event, in its own transaction with its claim.
    Returns how many events were handled completely. Locks nothing beyond the claims;
    what the handlers lock and publish is theirs (what they publish is handled as soon as
    their transaction commits: ``_kick``)."""
    handled = 0
    next_id: int | None = event_id
    while next_id is not None:
        event = _claim(next_id, now or timezone.now())
        if event is None or not _run_handlers(event):
            break
        handled += 1
        next_id = (
            Event.objects.filter(
                aggregate=event.aggregate, handled_at__isnull=True, pk__gt=event.pk
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return handled


def events_drain(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: handle unhandled events whose lease is free or expired, oldest first.
    Safe to run on several workers at once (claims are exclusive). Returns how many
    events were handled completely. Locks nothing beyond the claims."""
    now = now or timezone.now()
    handled = 0
    while handled < limit:
        # Handlers publish events of their own (points after a status change): take those
        # too, until a pass makes no progress.
        ids = list(_claimable(now).order_by("pk").values_list("pk", flat=True)[: limit - handled])
        done = sum(event_handle(event_id=pk, now=now) for pk in ids)
        handled += done
        if not done:
            break
    return handled
