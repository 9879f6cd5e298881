# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review looks at every new lead (the detectors), after it commits. A referral-page
submission carries its client print in ``lead.submitted``: it is kept first, so the
detectors that compare prints see it."""

from __future__ import annotations

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.selectors import lead_of_event

from .services import fraud_detect, submission_print_record


@subscribe("lead.submitted")
def detect(event: Event) -> None:
    """Idempotent: the print is one per lead (get or create), and a finding already in an
    open case adds nothing to it."""
    lead = lead_of_event(event=event)
    if lead is None:
        return
    client = event.payload.get("client")
    if client:
        submission_print_record(
            lead=lead,
            address=client.get("address", ""),
            network=client.get("network", ""),
            device=client.get("device", ""),
            user_agent=client.get("user_agent", ""),
            seconds_after_visit=client.get("seconds_after_visit"),
        )  # then runs the detectors
    else:
        fraud_detect(lead=lead)
