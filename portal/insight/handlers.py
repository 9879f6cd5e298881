# SPDX-License-Identifier: AGPL-3.0-or-later
"""Insight follows lead and points events into its rollups. Each handler runs once per
event, in its own transaction with its claim, dated by the event."""

from __future__ import annotations

from decimal import Decimal

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead
from portal.leads.selectors import lead_of_event, leads_of_events

from .services import (
    lead_reversed_apply,
    lead_status_apply,
    leads_submitted_apply,
    points_recorded_apply_many,
)


def _lead(event: Event) -> Lead | None:
    return lead_of_event(event=event)


@subscribe("lead.submitted", batch=True)
def count_submission(events: list[Event]) -> None:
    """The whole batch at once: a few statements per rollup table, not per lead."""
    leads_of_events(events=events)
    leads_submitted_apply(leads=[lead for event in events if (lead := _lead(event))])


@subscribe("lead.status_changed")
def count_step(event: Event) -> None:
    if lead := _lead(event):
        value = event.payload.get("deal_value")
        lead_status_apply(
            lead=lead,
            to_status=event.payload["to"],
            at=event.occurred_at,
            deal_value=Decimal(str(value)) if value is not None else lead.deal_value,
            deal_currency=event.payload.get("deal_currency") or lead.deal_currency,
        )


@subscribe("lead.deal_reversed")
def count_reversal(event: Event) -> None:
    if lead := _lead(event):
        lead_reversed_apply(lead=lead, at=event.occurred_at)


@subscribe("points.recorded", batch=True)
def count_points(events: list[Event]) -> None:
    points_recorded_apply_many(payloads=[(event.payload, event.occurred_at) for event in events])
