# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payouts reacts to lead events: what a lead's status means for money
(``services.STATUS_MEANING``). Each handler runs once per event, in its own transaction,
dated by the event (month caps and hold periods follow when it happened)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.leads.models import Lead, LeadStatus
from portal.leads.selectors import lead_of_event

from .models import CommissionEvent
from .services import (
    STATUS_MEANING,
    bonus_commission_add,
    lead_commissions_apply,
    lead_commissions_hold,
    lead_commissions_reverse,
)


def _lead(event: Event) -> Lead | None:
    return lead_of_event(event=event)


def _actor(event: Event) -> User | None:
    actor_id = event.payload.get("actor")
    return User.objects.filter(pk=actor_id).first() if actor_id else None


@subscribe("lead.status_changed")
def apply_status(event: Event) -> None:
    meaning = STATUS_MEANING.get(event.payload["to"])
    lead = _lead(event) if meaning else None
    if lead is None or meaning is None:
        return
    if meaning == "reversed":
        reason = (
            _("Lead #%(id)s was rejected.")
            if event.payload["to"] == LeadStatus.REJECTED
            else _("Lead #%(id)s was withdrawn.")
        ) % {"id": lead.pk}
        lead_commissions_reverse(
            lead=lead, actor=_actor(event), reason=reason, at=event.occurred_at
        )
        return
    value = event.payload.get("deal_value")
    lead_commissions_apply(
        lead=lead,
        event=meaning,
        at=event.occurred_at,
        deal_value=Decimal(value) if value is not None else None,
    )


@subscribe("lead.deal_reversed")
def reverse_deal(event: Event) -> None:
    if lead := _lead(event):
        lead_commissions_reverse(
            lead=lead,
            actor=_actor(event),
            reason=event.payload.get("reason", ""),
            at=event.occurred_at,
            cancel_unbatched=False,
        )


@subscribe("redemption.fulfilled")
def reward_cash_bonus(event: Event) -> None:
    """A fulfilled cash bonus reward is paid with the payee's next batch, once."""
    payload = event.payload
    if payload.get("kind") != "cash_bonus" or not payload.get("amount"):
        return
    bonus_commission_add(
        source=f"redemption:{payload['redemption']}",
        event=CommissionEvent.REWARD_BONUS,
        amount=Decimal(payload["amount"]),
        currency=payload["currency"],
        basis=_("Reward: %(item)s") % {"item": payload.get("item", "")},
        payee_user_id=payload["participant"],
        payee_org_id=payload.get("organisation"),
        at=event.occurred_at,
    )


@subscribe("contest.closed")
def contest_prize_money(event: Event) -> None:
    """A contest's money prizes, paid with each winner's next batch, once per contest and
    winner (the commission's source)."""
    contest = event.payload["contest"]
    winners = User.objects.in_bulk([a["participant"] for a in event.payload["awards"]])
    for award in event.payload["awards"]:
        person = winners.get(award["participant"])
        if person is None or not award.get("amount") or not award.get("currency"):
            continue
        bonus_commission_add(
            source=f"contest:{contest}:user:{person.pk}",
            event=CommissionEvent.CONTEST_PRIZE,
            amount=Decimal(award["amount"]),
            currency=award["currency"],
            basis=_("Prize in %(contest)s") % {"contest": event.payload.get("name", "")},
            payee_user_id=person.pk,
            payee_org_id=person.partner_organisation_id,
            at=event.occurred_at,
        )


@subscribe("fraud.leads_held")
def hold_commissions(event: Event) -> None:
    lead_commissions_hold(lead_ids=event.payload["leads"], case_id=event.payload["case"], hold=True)


@subscribe("fraud.case_decided")
def release_commissions(event: Event) -> None:
    """Cleared: paid as usual. Confirmed: reversed as a rejected lead's are (unbatched
    ones cancelled, batched or paid ones clawed back), then the hold ends."""
    if event.payload["decision"] == "confirmed":
        reason = _("Fraud case #%(id)s confirmed") % {"id": event.payload["case"]}
        for lead in Lead.objects.filter(pk__in=event.payload["leads"]):
            lead_commissions_reverse(
                lead=lead, actor=_actor(event), reason=reason, at=event.occurred_at
            )
    lead_commissions_hold(
        lead_ids=event.payload["leads"], case_id=event.payload["case"], hold=False
    )
