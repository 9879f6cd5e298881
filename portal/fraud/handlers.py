# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review looks at every new lead (the detectors), after it commits. A referral-page
submission carries its client print in ``lead.submitted``: it is kept first, so the
detectors that compare prints see it."""

from __future__ import annotations

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.selectors import lead_of_event, leads_of_events

from .services import fraud_detect_many, submission_prints_record


@subscribe("lead.submitted", batch=True)
def detect(events: list[Event]) -> None:
    """Idempotent: the print is one per lead (kept once), and a finding already in an
    open case adds nothing to it. The detectors run after every print of the batch is
    kept, each lead seeing the prints of the leads before it and its own, as they would
    after each lead's own."""
    leads_of_events(events=events)
    leads, clients = [], {}
    for event in events:
        lead = lead_of_event(event=event)
        if lead is None:
            continue
        leads.append(lead)
        if client := event.payload.get("client"):
            clients[lead] = client
    if clients:
        submission_prints_record(clients=clients)
    fraud_detect_many(leads=leads)
