# SPDX-License-Identifier: AGPL-3.0-or-later
"""Insight follows lead and points events into its rollups. Each handler runs once per
event, in its own transaction with its claim, dated by the event."""

from __future__ import annotations

from decimal import Decimal

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead
from portal.leads.selectors import lead_of_event

from .services import (
    lead_reversed_apply,
    lead_status_apply,
    lead_submitted_apply,
    points_recorded_apply,
)


def _lead(event: Event) -> Lead | None:
    return lead_of_event(event=event)


@subscribe("lead.submitted")
def count_submission(event: Event) -> None:
    if lead := _lead(event):
        lead_submitted_apply(lead=lead)


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


@subscribe("points.recorded")
def count_points(event: Event) -> None:
    payload = event.payload
    points_recorded_apply(
        participant_id=payload["participant"],
        program_id=payload.get("program"),
        amount=int(payload["amount"]),
        at=event.occurred_at,
        lead_id=payload.get("lead"),
    )
