# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rewards reacts to lead events: what a lead's status means for points, tiers, badges,
milestones and welcome offers (``services.STATUS_MEANING``). Each handler runs once per
event, in its own transaction, dated by the event."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead, LeadStatus

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


@subscribe("contest.closed")
def contest_prize_points(event: Event) -> None:
    """A contest's points prizes, once per contest and winner (the entry's source)."""
    contest = event.payload["contest"]
    winners = User.objects.in_bulk([a["participant"] for a in event.payload["awards"]])
    for award in event.payload["awards"]:
        person = winners.get(award["participant"])
        if person is None or not award.get("points"):
            continue
        ledger_add(
            participant=person,
            amount=int(award["points"]),
            event="contest.prize",
            reason=_("Prize in %(contest)s") % {"contest": event.payload.get("name", "")},
            source=f"contest:{contest}:user:{person.pk}",
            at=event.occurred_at,
        )
