# SPDX-License-Identifier: AGPL-3.0-or-later
"""Boards react to domain events: points recorded (rewards), wins and tier-ups to
celebrate, and renames (accounts). Each handler runs once per event after the change
committed; board updates are idempotent by ledger entry id, so a retry counts once."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.display import Audience, person_name
from portal.accounts.models import User
from portal.events.models import Event
from portal.events.registry import subscribe
from portal.rewards.models import Tier

from .services import board_entries_apply, board_names_refresh, celebrate


@subscribe("points.recorded", first=True, batch=True)  # live boards before counters
def move_boards(events: list[Event]) -> None:
    # The participant's own figures follow in one payload (portal.dashboards.handlers).
    board_entries_apply(entry_ids=[event.payload["entry"] for event in events])


def _own_words(person: User, words: Callable[[], str]) -> str:
    """The toast a person reads about themself, in their language ("You reached Gold!")."""
    with translation.override(person.language or settings.LANGUAGE_CODE):
        return words()


@subscribe("lead.status_changed")
def celebrate_win(event: Event) -> None:
    if event.payload["to"] != "won" or not settings.CELEBRATE_AUTOMATICALLY:
        return
    referrer = User.objects.filter(pk=event.payload["referrer"]).first()
    if referrer is not None:

        def text_for(audience: Audience) -> str:
            return _("%(name)s just won a deal!") % {
                "name": person_name(person=referrer, audience=audience)
            }

        own = _own_words(referrer, lambda: _("You just won a deal!"))
        transaction.on_commit(
            lambda: celebrate(kind="won", text_for=text_for, about=referrer, own_text=own)
        )


@subscribe("tier.changed")
def celebrate_tier_up(event: Event) -> None:
    if not event.payload.get("promoted") or not settings.CELEBRATE_AUTOMATICALLY:
        return
    participant = User.objects.filter(pk=event.payload["participant"]).first()
    tier = Tier.objects.filter(pk=event.payload["to"]).first()
    if participant is not None and tier is not None:

        def text_for(audience: Audience) -> str:
            return _("%(name)s reached %(tier)s!") % {
                "name": person_name(person=participant, audience=audience),
                "tier": tier.name,
            }

        own = _own_words(participant, lambda: _("You reached %(tier)s!") % {"tier": tier.name})
        transaction.on_commit(
            lambda: celebrate(kind="tier_up", text_for=text_for, about=participant, own_text=own)
        )


@subscribe("user.renamed")
def refresh_person(event: Event) -> None:
    board_names_refresh(user_ids=[event.payload["user"]])


@subscribe("organisation.renamed")
def refresh_organisation(event: Event) -> None:
    board_names_refresh(organisation_ids=[event.payload["organisation"]])
