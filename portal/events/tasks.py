# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import Task, shared_task

from .services import events_drain, events_prune, events_woken


@shared_task(bind=True, acks_late=True)
def events_dispatch(self: Task, event_id: int) -> int:
    """After commit: handle the event and whatever else waits (clearing the wake-up flag
    first, so the next commit wakes a worker again). Safe to run twice."""
    # Run inline (eager: the embedded default, tests), every commit handles its own events.
    return events_woken(event_id=event_id, recheck=not self.request.is_eager)


@shared_task
def events_sweep() -> int:
    """Beat: events a lost task, a dead worker or a failing handler left behind."""
    return events_drain()


@shared_task
def events_prune_task() -> int:
    """Beat, nightly: handled events older than ``EVENTS_KEEP_DAYS`` go."""
    return events_prune()
