# SPDX-License-Identifier: AGPL-3.0-or-later
"""Campaigns ask for referrals at the moment of success: when a lead is won, and when a
referrer is promoted to a higher tier (the milestone)."""

from __future__ import annotations

from portal.events.models import Event
from portal.events.registry import subscribe

from .services import campaigns_for_milestone, campaigns_for_won_lead


@subscribe("lead.status_changed")
def ask_the_won_customer(event: Event) -> None:
    if event.payload.get("to") != "won":
        return
    from portal.leads.models import Lead

    lead = Lead.objects.filter(pk=event.payload["lead"]).first()
    if lead is not None:
        campaigns_for_won_lead(lead=lead, at=event.occurred_at)


@subscribe("tier.changed")
def ask_the_promoted_referrer(event: Event) -> None:
    if not event.payload.get("promoted") or not event.payload.get("to"):
        return
    from portal.accounts.models import User

    user = User.objects.filter(pk=event.payload["participant"], is_active=True).first()
    if user is not None:
        campaigns_for_milestone(
            user=user,
            program_id=event.payload["program"],
            tier_id=event.payload["to"],
            at=event.occurred_at,
        )
