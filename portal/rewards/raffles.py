# SPDX-License-Identifier: AGPL-3.0-or-later
"""Raffles with a reproducible draw.

The algorithm, so anyone can re-run it from the published entry list and seed:
1. List the entries by entry number (ascending); each entry is one ticket of a participant.
2. Seed Python's ``random.Random`` with the seed string (UTF-8), exactly as published.
3. Shuffle the list of participant ids with ``Random.shuffle``.
4. Walk the shuffled list and take participants in order, skipping anyone already taken,
   until there are as many winners as prizes (or no one left).
"""

from __future__ import annotations

import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.leads.models import Lead, LeadStatus
from portal.notifications.services import notify

from .models import Raffle, RaffleEntry
from .services import ledger_add


def draw_winners(*, participant_ids: list[int], seed: str, count: int) -> list[int]:
    """The documented draw: pure, so a re-run from the same entries and seed agrees."""
    tickets = list(participant_ids)
    random.Random(seed).shuffle(tickets)  # noqa: S311 - reproducibility is the point
    winners: list[int] = []
    for pid in tickets:
        if pid not in winners:
            winners.append(pid)
        if len(winners) == count:
            break
    return winners


def raffle_entries_collect(*, raffle: Raffle) -> int:
    """One entry per referral qualified in the raffle's period, a customer's excepted
    (``selectors.raffles_closed_to``: customers take no part in raffles). Idempotent: a
    unique constraint skips entries already there. Locks nothing. Publishes nothing."""
    qualified = (
        Lead.objects.filter(
            status__in=[LeadStatus.QUALIFIED, LeadStatus.WON],
            ledger_entries__event="qualified",
            ledger_entries__created_at__gte=raffle.starts_at,
            ledger_entries__created_at__lt=raffle.ends_at,
        )
        .exclude(referrer__is_customer=True)
        .distinct()
    )
    have = set(
        RaffleEntry.objects.filter(raffle=raffle, lead__isnull=False).values_list(
            "lead_id", flat=True
        )
    )
    new = [
        RaffleEntry(raffle=raffle, participant_id=lead.referrer_id, lead=lead)
        for lead in qualified
        if lead.pk not in have
    ]
    RaffleEntry.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def raffle_ticket_buy(*, participant: User, raffle: Raffle) -> RaffleEntry:
    """A participant buys one ticket with points. Checks the raffle sells tickets and is
    open; locks the participant's points account and checks the balance; writes the
    entry and the ledger debit. Publishes nothing."""
    if not raffle.ticket_price:
        raise ValidationError(_("Tickets for this raffle cannot be bought."))
    now = timezone.now()
    if raffle.drawn_at or not (raffle.starts_at <= now < raffle.ends_at):
        raise ValidationError(_("This raffle is not open."))
    with transaction.atomic():
        from .services import points_account_lock

        account = points_account_lock(participant=participant)
        if account.balance < raffle.ticket_price:
            raise ValidationError(_("Not enough points for a ticket."))
        entry = RaffleEntry.objects.create(raffle=raffle, participant=participant, bought=True)
        ledger_add(
            participant=participant,
            amount=-raffle.ticket_price,
            event="raffle.ticket",
            reason=_("Ticket for %(raffle)s") % {"raffle": raffle.name},
        )
    return entry


def raffle_draw(
    *, raffle: Raffle, actor: User | None = None, seed: str | None = None
) -> list[RaffleEntry]:
    """Close the raffle: collect entries, record a random seed, mark the winners.
    Once. Checks the role (when an actor is given); locks the raffle's row; audits it
    and notifies the winners. Publishes nothing."""
    if actor is not None and not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers draw raffles."))
    with transaction.atomic():
        raffle = Raffle.objects.select_for_update().get(pk=raffle.pk)
        if raffle.drawn_at:
            raise ValidationError(
                _("This raffle was drawn on %(date)s.") % {"date": raffle.drawn_at.date()}
            )
        if timezone.now() < raffle.ends_at:
            raise ValidationError(_("The raffle is still open for entries."))
        raffle_entries_collect(raffle=raffle)
        entries = list(RaffleEntry.objects.filter(raffle=raffle).order_by("pk"))
        raffle.seed = seed or secrets.token_hex(16)
        winners = draw_winners(
            participant_ids=[e.participant_id for e in entries],
            seed=raffle.seed,
            count=raffle.winners_count,
        )
        winning_entries = []
        for pid in winners:
            entry = next(e for e in entries if e.participant_id == pid)
            entry.is_winner = True
            entry.save(update_fields=["is_winner"])
            winning_entries.append(entry)
        raffle.drawn_at = timezone.now()
        raffle.save(update_fields=["seed", "drawn_at"])
        audit_record(
            actor=actor,
            action="raffle.drawn",
            target=raffle,
            to_state="drawn",
            data={"seed": raffle.seed, "entries": len(entries), "winners": winners},
        )
        for entry in winning_entries:
            notify(user=entry.participant, kind="raffle_won", context={"raffle": raffle})
    return winning_entries
