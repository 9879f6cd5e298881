# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads about the outbox: how far behind the handlers are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from .models import Event


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_at: datetime | None

    @property
    def oldest_age_seconds(self) -> float:
        if self.oldest_at is None:
            return 0.0
        return max(0.0, (timezone.now() - self.oldest_at).total_seconds())


def events_backlog() -> Backlog:
    """Unhandled events: how many, and when the oldest was written (one query)."""
    row = Event.objects.filter(handled_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    return Backlog(pending=row["n"], oldest_at=row["oldest"])


def events_waiting(
    *, aggregate: str, other_than: int | None = None, payload: dict[str, Any] | None = None
) -> bool:
    """Whether an event of ``aggregate`` (``"user:7"``) is still unhandled, apart from
    ``other_than`` (the event being handled), and with these ``payload`` values when
    given. A handler that shows a result to a person waits for the last of a burst, so
    what it shows is the settled state (one query)."""
    waiting = Event.objects.filter(aggregate=aggregate, handled_at__isnull=True)
    if other_than is not None:
        waiting = waiting.exclude(pk=other_than)
    for key, value in (payload or {}).items():
        waiting = waiting.filter(**{f"payload__{key}": value})
    return waiting.exists()
