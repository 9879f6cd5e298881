# SPDX-License-Identifier: AGPL-3.0-or-later
"""Leads' own reactions to its events: telling the submitter (in the portal and by
e-mail) once the change has committed, from the outbox."""

from __future__ import annotations

from django.urls import reverse

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.notifications.services import Notice, notify, notify_many

from .models import Lead
from .selectors import lead_of_event, leads_of_events


def _lead_as_of(event: Event) -> Lead | None:
    """The lead, showing the status the event announced (it may have moved on since)."""
    lead = lead_of_event(event=event)
    if lead is not None and "to" in event.payload:
        lead.status = event.payload["to"]
    return lead


@subscribe("lead.submitted", batch=True)
def notify_submitter_of_submission(events: list[Event]) -> None:
    # The first handler of a submission: it reads the batch's leads for all of them.
    leads_of_events(events=events)
    notices = []
    for event in events:
        lead = _lead_as_of(event)
        if lead is None:
            continue
        notices.append(
            Notice(
                user=lead.referrer,
                kind="lead_submitted",
                context={"lead": lead},
                url=reverse("leads:detail", args=[lead.pk]),
            )
        )
    notify_many(notices=notices)


@subscribe("lead.status_changed")
def notify_submitter_of_status(event: Event) -> None:
    lead = _lead_as_of(event)
    if lead is None:
        return
    notify(
        user=lead.referrer,
        kind="lead_status",
        context={"lead": lead, "note": event.payload.get("note", "")},
        url=reverse("leads:detail", args=[lead.pk]),
    )


@subscribe("lead.deal_reversed")
def notify_submitter_of_reversal(event: Event) -> None:
    lead = _lead_as_of(event)
    if lead is None:
        return
    notify(
        user=lead.referrer,
        kind="lead_status",
        context={"lead": lead, "note": event.payload.get("reason", "")},
        url=reverse("leads:detail", args=[lead.pk]),
    )
