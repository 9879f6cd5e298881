# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound webhooks subscribe to domain events and queue signed deliveries for the
endpoints that asked for them (in the handler's transaction; sending starts after it
commits)."""

from __future__ import annotations

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead
from portal.leads.selectors import lead_of_event, leads_of_events
from portal.payouts.models import Commission, PayoutBatch
from portal.rewards.models import TierChange

from .services import event_emit, events_emit


def _lead_as_of(event: Event) -> Lead | None:
    """The lead as the event left it (it may have moved on since)."""
    lead = lead_of_event(event=event)
    if lead is not None and "to" in event.payload:
        lead.status = event.payload["to"]
        lead.status_changed_at = event.occurred_at
    return lead


@subscribe("lead.submitted", batch=True)
def lead_created(events: list[Event]) -> None:
    # A batch: the endpoints are read once for all its leads, in the events' order.
    leads_of_events(events=events)
    events_emit(event="lead.created", objs=[lead for e in events if (lead := _lead_as_of(e))])


@subscribe("lead.status_changed")
def lead_status_changed(event: Event) -> None:
    if lead := _lead_as_of(event):
        event_emit(
            event="lead.status_changed",
            obj=lead,
            from_status=event.payload["from"],
            action=event.payload["action"],
        )


@subscribe("commission.approved")
def commission_approved(event: Event) -> None:
    if commission := Commission.objects.filter(pk=event.payload["commission"]).first():
        event_emit(event="commission.approved", obj=commission)


@subscribe("payout.paid")
def payout_paid(event: Event) -> None:
    if batch := PayoutBatch.objects.filter(pk=event.payload["batch"]).first():
        event_emit(event="payout.paid", obj=batch)


@subscribe("tier.changed")
def tier_changed(event: Event) -> None:
    change = (
        TierChange.objects.select_related("from_tier", "to_tier")
        .filter(pk=event.payload["change"])
        .first()
    )
    if change is not None:
        event_emit(event="tier.changed", obj=change)
