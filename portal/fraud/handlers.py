# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review looks at every new lead (the detectors), after it commits."""

from __future__ import annotations

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead

from .services import fraud_detect


@subscribe("lead.submitted")
def detect(event: Event) -> None:
    lead = Lead.objects.select_related("referrer__partner_organisation").filter(
        pk=event.payload["lead"]
    )
    if found := lead.first():
        fraud_detect(lead=found)
