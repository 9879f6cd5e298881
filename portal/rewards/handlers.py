# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rewards reacts to lead events: what a lead's status means for points, tiers, badges,
milestones and welcome offers (``services.STATUS_MEANING``). Each handler runs once per
event, in its own transaction, dated by the event."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead, LeadStatus, Program

from .services import STATUS_MEANING, lead_event_apply, ledger_add


def _lead(event: Event) -> Lead | None:
    return (
        Lead.objects.select_related("program", "referrer").filter(pk=event.payload["lead"]).first()
    )


@subscribe("lead.submitted")
def award_submission(event: Event) -> None:
    if event.payload.get("status") == LeadStatus.REJECTED:
        return  # a lead the quality rules rejected earns nothing
    if lead := _lead(event):
        lead_event_apply(lead=lead, event="submitted", at=event.occurred_at)


@subscribe("lead.status_changed")
def apply_status(event: Event) -> None:
    meaning = STATUS_MEANING.get(event.payload["to"])
    if meaning and (lead := _lead(event)):
        lead_event_apply(lead=lead, event=meaning, at=event.occurred_at)


@subscribe("lead.deal_reversed")
def reverse_win(event: Event) -> None:
    if lead := _lead(event):
        lead_event_apply(lead=lead, event="won_reversed", at=event.occurred_at)


@subscribe("outbound.sent", "outbound.status_changed")
def award_outbound(event: Event) -> None:
    """A lead the company sent to a reciprocal partner: the program's points for it travel
    in the event (networks decides them); the handler's claim makes this once per event."""
    points = int(event.payload.get("points") or 0)
    sender = User.objects.filter(pk=event.payload.get("sender"), is_active=True).first()
    if points <= 0 or sender is None:
        return
    status = event.payload.get("to", "sent")
    ledger_add(
        participant=sender,
        amount=points,
        event=f"outbound_{status}",
        program=Program.objects.filter(pk=event.payload.get("program")).first(),
        reason=(
            _("Lead #%(id)s sent to a partner was won")
            if status == "won"
            else _("Lead #%(id)s sent to a partner")
        )
        % {"id": event.payload["outbound"]},
        at=event.occurred_at,
    )
