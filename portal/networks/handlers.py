# SPDX-License-Identifier: AGPL-3.0-or-later
"""Networks tells people about outbound leads after they commit: the partner's members
when one is sent to them, the sender when the partner updates it."""

from __future__ import annotations

from django.urls import reverse

from portal.events.models import Event
from portal.events.registry import subscribe
from portal.notifications.services import notify

from .models import OutboundLead, OutboundStatus


def _outbound(event: Event) -> OutboundLead | None:
    return (
        OutboundLead.objects.select_related("organisation", "sender")
        .filter(pk=event.payload["outbound"])
        .first()
    )


@subscribe("outbound.sent")
def tell_the_partner(event: Event) -> None:
    outbound = _outbound(event)
    if outbound is None:
        return
    for member in outbound.organisation.users.filter(is_active=True):
        notify(
            user=member,
            kind="outbound_received",
            context={"id": outbound.pk},
            url=reverse("networks:outbound_detail", args=[outbound.pk]),
        )


@subscribe("outbound.status_changed")
def tell_the_sender(event: Event) -> None:
    outbound = _outbound(event)
    if outbound is None or not outbound.sender.is_active:
        return
    notify(
        user=outbound.sender,
        kind="outbound_status",
        context={
            "id": outbound.pk,
            "partner": outbound.organisation.name,
            "status": OutboundStatus(event.payload["to"]).label,
        },
        url=reverse("networks:outbound_detail", args=[outbound.pk]),
    )


@subscribe("lead.status_changed")
def invite_the_new_customer(event: Event) -> None:
    """A won lead: its contact may be invited to refer (the program decides)."""
    if event.payload.get("to") != "won":
        return
    from portal.leads.models import Lead

    from .customers import customer_invitation_create

    lead = Lead.objects.filter(pk=event.payload["lead"]).first()
    if lead is not None:
        customer_invitation_create(lead=lead)


@subscribe("partner.recruitment_approved")
def recruitment_flat_reward(event: Event) -> None:
    """An approved recruitment earns its recruiter the flat reward (when flat), once."""
    from .recruitment import recruitment_flat_reward as reward

    reward(recruitment_id=event.payload["recruitment"])


@subscribe("commission.created")
def recruitment_percent_reward(event: Event) -> None:
    """A recruit's commission earns its recruiter a share (when a percentage), once."""
    from .recruitment import recruitment_percent_reward as reward

    reward(commission_id=event.payload["commission"], at=event.occurred_at)


@subscribe("commission.reversed")
def recruitment_reward_reverse(event: Event) -> None:
    """A reversed commission takes its recruitment reward with it."""
    from .recruitment import recruitment_reward_reverse as reverse_reward

    reverse_reward(commission_id=event.payload["commission"], at=event.occurred_at)


@subscribe("organisation.status_changed")
def admit_the_applicant(event: Event) -> None:
    """A customer's partner application approved (its organisation activated): the
    applicant becomes the organisation's admin, once."""
    if event.payload.get("to") != "active":
        return
    from .customers import partner_application_admit

    partner_application_admit(
        organisation_id=event.payload["organisation"], actor_id=event.payload.get("actor")
    )
