# SPDX-License-Identifier: AGPL-3.0-or-later
"""The referrer's open dashboards follow their figures live: after a lead of theirs moves,
points land or their tier changes, one payload carries every figure the dashboard shows
(balance, tier progress, counts, latest referrals, board rank and score), read at one
moment, so no figure on the page contradicts another. A burst of events about one person
(a qualification brings a status change, points and maybe a tier) sends one payload, from
the last of them: earlier ones see a later event of the person still waiting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from leaderboard.push import push_to_user, user_watching
from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.events.selectors import events_waiting

from .selectors import figures_numbers, referrer_figures

PARTS = {
    "figures": "dashboards/_figures.html",
    "leads": "dashboards/_recent_leads.html",
    "board": "dashboards/_board_widget.html",
}


def figures_payload(*, user: User) -> dict[str, Any]:
    """The live payload of ``user``'s dashboard: the plain figures and each part of the
    page rendered as on load, in the person's language. Read only."""
    figures = referrer_figures(user=user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**figures, "user": user}
        parts = {name: render_to_string(template, context) for name, template in PARTS.items()}
    return {"type": "me", **figures_numbers(figures=figures), "parts": parts}


def _push_figures(*, user_id: int | None, event: Event) -> None:
    if user_id is None or not user_watching(user_id=user_id):
        return  # no page of theirs is open: it reads its figures when it loads
    if events_waiting(aggregate=f"user:{user_id}", other_than=event.pk):
        return  # a later event of this person will send the settled figures
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    payload = figures_payload(user=user)
    transaction.on_commit(lambda: push_to_user(user_id=user_id, payload=payload), robust=True)


@subscribe("points.recorded", "tier.changed")
def push_own_figures(event: Event) -> None:
    participant, lead = event.payload.get("participant"), event.payload.get("lead")
    if participant is None or not user_watching(user_id=participant):
        return  # no page of theirs is open (checked first: it costs no SQL)
    if lead and events_waiting(aggregate=f"lead:{lead}", payload={"referrer": participant}):
        # Points of the referrer's own lead event, handled while that event still is: its
        # handler below sends the settled figures once it is done.
        return
    _push_figures(user_id=participant, event=event)


@subscribe("lead.submitted", "lead.status_changed")
def push_referrer_figures(event: Event) -> None:
    _push_figures(user_id=event.payload.get("referrer"), event=event)
