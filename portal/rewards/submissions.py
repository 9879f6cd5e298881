# SPDX-License-Identifier: AGPL-3.0-or-later
"""Points for a batch of submitted leads, set-wise: what ``lead_event_apply(event=
"submitted")`` does for each lead, with the ledger written in one insert and each
participant's account locked and moved once, instead of a few statements per lead. The
event worker hands a batch of ``lead.submitted`` events to ``rewards.handlers``; the
result is the same as handling them one at a time (tests/portal/rewards/test_submissions.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.events.services import publish
from portal.leads.models import Lead

from .models import LeadEvent, LedgerEntry, PointsAccount
from .selectors import lead_beneficiaries, points_for
from .services import EVENT_CRITERIA, badges_evaluate, tier_recompute


def _accounts_lock(participant_ids: set[int]) -> dict[int, PointsAccount]:
    """The participants' points accounts, created if missing, locked for this transaction
    in participant order (two batches lock in the same order: no deadlock)."""
    ids = sorted(participant_ids)
    locked = {
        a.participant_id: a
        for a in PointsAccount.objects.select_for_update()
        .filter(participant_id__in=ids)
        .order_by("participant_id")
    }
    if missing := [pk for pk in ids if pk not in locked]:
        PointsAccount.objects.bulk_create(
            [PointsAccount(participant_id=pk) for pk in missing], ignore_conflicts=True
        )
        locked.update(
            (a.participant_id, a)
            for a in PointsAccount.objects.select_for_update()
            .filter(participant_id__in=missing)
            .order_by("participant_id")
        )
    return locked


def leads_submitted_award(*, submissions: list[tuple[Lead, datetime]]) -> int:
    """Award the points of ``submissions`` (each lead with when it was submitted, the
    business time), then each referrer's tier as of each submission and their badges, as
    ``lead_event_apply(event="submitted")`` would one lead at a time. Idempotent: an entry
    that exists (lead, event, participant) is not written again. Call inside a
    transaction: locks the participants' points accounts (in participant order) and their
    tier status rows. Publishes ``points.recorded`` per entry and ``tier.changed`` per
    change, in the order of the submissions. Returns how many entries it wrote."""
    event: str = LeadEvent.SUBMITTED.value
    rules: dict[int, dict[str, int]] = {}
    wanted: list[tuple[Lead, datetime, int, int]] = []  # lead, at, participant id, amount
    for lead, at in submissions:
        if lead.program_id not in rules:
            rules[lead.program_id] = points_for(program=lead.program, event=event)
        for beneficiary, amount in rules[lead.program_id].items():
            for participant in lead_beneficiaries(lead=lead, beneficiary=beneficiary):
                if amount:
                    wanted.append((lead, at, participant.pk, amount))
    existing = set(
        LedgerEntry.objects.filter(
            lead_id__in={lead.pk for lead, *_ in wanted}, event=event
        ).values_list("lead_id", "participant_id")
    )
    todo = [w for w in wanted if (w[0].pk, w[2]) not in existing]
    by_lead: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    with transaction.atomic(savepoint=False):
        if todo:
            accounts = _accounts_lock({participant for _lead, _at, participant, _n in todo})
            entries = LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    participant_id=participant,
                    program_id=lead.program_id,
                    amount=amount,
                    event=event,
                    reason=_("%(event)s: lead #%(id)s")
                    % {"event": LeadEvent(event).label, "id": lead.pk},
                    lead=lead,
                    created_at=at,
                )
                for lead, at, participant, amount in todo
            )
            balance = {pk: account.balance for pk, account in accounts.items()}
            for entry in entries:  # running balances, in the order of the submissions
                balance[entry.participant_id] += entry.amount
                by_lead[entry.lead_id].append(
                    {
                        "entry": entry.pk,
                        "participant": entry.participant_id,
                        "amount": entry.amount,
                        "event": event,
                        "program": entry.program_id,
                        "lead": entry.lead_id,
                        "balance": balance[entry.participant_id],
                        "at": entry.created_at,
                    }
                )
            for account in accounts.values():
                account.balance = balance[account.participant_id]
            PointsAccount.objects.bulk_update(list(accounts.values()), ["balance"])
        for lead, at in submissions:
            for payload in by_lead.get(lead.pk, []):
                when = payload.pop("at")
                publish(
                    name="points.recorded",
                    aggregate=f"user:{payload['participant']}",
                    payload=payload,
                    occurred_at=when,
                )
            tier_recompute(
                participant=lead.referrer,
                program=lead.program,
                reason=_("Lead #%(id)s") % {"id": lead.pk},
                at=at,
            )
        # Badges count what is in the database now (every lead of the batch): once each.
        referrers = {lead.referrer_id: lead.referrer for lead, _at in submissions}
        for referrer in referrers.values():
            badges_evaluate(participant=referrer, criteria=EVENT_CRITERIA[event])
    return len(todo)
