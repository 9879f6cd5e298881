# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rewards reacts to lead events: what a lead's status means for points, tiers, badges,
milestones and welcome offers (``services.STATUS_MEANING``). Each handler runs once per
event, in its own transaction, dated by the event."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.fraud.selectors import lead_held_by_fraud, leads_held_by_fraud
from portal.leads.models import Lead, LeadStatus, Program
from portal.leads.selectors import lead_of_event, leads_of_events

from .goals import goals_check_many
from .services import (
    STATUS_MEANING,
    lead_event_apply,
    lead_points_hold,
    lead_points_release,
    ledger_add,
)
from .submissions import leads_submitted_award


def _lead(event: Event) -> Lead | None:
    return lead_of_event(event=event)


@subscribe("lead.submitted", "lead.status_changed", batch=True)
def personal_goals(events: list[Event]) -> None:
    """A new or newly qualified referral may reach its referrer's goal (noticed once): the
    batch's referrers' goals read at once (``goals.goals_check_many``). One handler for
    both names, batch-wise for both: its key, recorded in the claims, stays the same."""
    wanted = [
        event
        for event in events
        if event.name == "lead.submitted" or event.payload.get("to") == LeadStatus.QUALIFIED
    ]
    leads_of_events(events=wanted)
    goals_check_many(
        checks=[(lead.referrer, event.occurred_at) for event in wanted if (lead := _lead(event))]
    )


@subscribe("lead.submitted", batch=True)
def award_submission(events: list[Event]) -> None:
    """The whole batch at once (``submissions.leads_submitted_award``). A lead an open
    fraud case already holds (a ring case named it before its own points were handled)
    earns, but what it earns is held too, as a case opened later would hold it."""
    leads_of_events(events=events)
    submissions = [
        (lead, event.occurred_at)
        for event in events
        # a lead the quality rules rejected earns nothing
        if event.payload.get("status") != LeadStatus.REJECTED and (lead := _lead(event))
    ]
    leads_submitted_award(submissions=submissions)
    held = leads_held_by_fraud(lead_ids=[lead.pk for lead, _at in submissions])
    for lead, at in submissions:
        if lead.pk in held:
            lead_points_hold(lead=lead, case_id=held[lead.pk], at=at)


@subscribe("lead.status_changed", first=True)  # the boards and live figures wait for it
def apply_status(event: Event) -> None:
    meaning = STATUS_MEANING.get(event.payload["to"])
    if meaning and (lead := _lead(event)):
        lead_event_apply(lead=lead, event=meaning, at=event.occurred_at)
        # A lead under fraud review earns, but what it earns is held too.
        if meaning != "reversed" and (case := lead_held_by_fraud(lead_id=lead.pk)):
            lead_points_hold(lead=lead, case_id=case.pk, at=event.occurred_at)


@subscribe("fraud.leads_held")
def hold_points(event: Event) -> None:
    for lead in Lead.objects.select_related("program").filter(pk__in=event.payload["leads"]):
        lead_points_hold(lead=lead, case_id=event.payload["case"], at=event.occurred_at)


@subscribe("fraud.case_decided")
def release_points(event: Event) -> None:
    """Cleared or confirmed, the hold ends; a confirmed case's leads lose what they
    earned."""
    for lead in Lead.objects.select_related("program", "referrer").filter(
        pk__in=event.payload["leads"]
    ):
        lead_points_release(lead=lead, case_id=event.payload["case"], at=event.occurred_at)
        if event.payload["decision"] == "confirmed":
            # The existing reversal: all the lead earned (idempotent with its rejection).
            lead_event_apply(lead=lead, event="reversed", at=event.occurred_at)


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
