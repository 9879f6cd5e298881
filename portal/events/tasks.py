# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from .services import event_handle, events_drain


@shared_task(acks_late=True)
def events_dispatch(event_id: int) -> int:
    """After commit: handle one event (and its aggregate's next ones). Safe to run twice."""
    return event_handle(event_id=event_id)


@shared_task
def events_sweep() -> int:
    """Beat: events a lost task, a dead worker or a failing handler left behind."""
    return events_drain()
