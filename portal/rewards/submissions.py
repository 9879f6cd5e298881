# SPDX-License-Identifier: AGPL-3.0-or-later
"""Points for a batch of submitted leads, set-wise: what ``lead_event_apply(event=
"submitted")`` does for each lead, with the ledger written in one insert, each
participant's account locked and moved once, the tiers decided for the whole batch
(``tiers.tier_recompute_many``), the badges read once and every event written in one
insert: a fixed number of statements per batch instead of a few per lead. The event
worker hands a batch of ``lead.submitted`` events to ``rewards.handlers``; the result is
the same as handling them one at a time (tests/portal/rewards/test_submissions.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from portal.events.models import Event
from portal.leads.models import Lead

from .models import LeadEvent, LedgerEntry, PointsAccount
from .selectors import lead_beneficiaries, points_for
from .services import EVENT_CRITERIA, badges_evaluate_many, points_recorded_build
from .tiers import TierCheck, tier_recompute_many


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
    tier status rows (in (participant, program) order). Publishes ``points.recorded`` per
    entry and ``tier.changed`` per change, in the order one at a time gives them, with one
    INSERT. Returns how many entries it wrote."""
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
    index = {lead.pk: i for i, (lead, _at) in enumerate(submissions)}
    points_events: dict[int, list[Event]] = defaultdict(list)  # by submission
    unseen: list[tuple[int, LedgerEntry]] = []  # entries one at a time had not written yet
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
                assert entry.lead_id is not None
                balance[entry.participant_id] += entry.amount
                unseen.append((index[entry.lead_id], entry))
                points_events[index[entry.lead_id]].append(
                    points_recorded_build(entry=entry, balance=balance[entry.participant_id])
                )
            for account in accounts.values():
                account.balance = balance[account.participant_id]
            PointsAccount.objects.bulk_update(list(accounts.values()), ["balance"])
        # Each submission's points, then its referrer's tier as of it, as one at a time:
        # one INSERT for all their events.
        tier_recompute_many(
            checks=[
                TierCheck(lead.referrer, lead.program, _("Lead #%(id)s") % {"id": lead.pk}, at)
                for lead, at in submissions
            ],
            unseen=unseen,
            publish_before=points_events,
        )
        # Badges count what is in the database now (every lead of the batch): once each.
        badges_evaluate_many(
            participants=[lead.referrer for lead, _at in submissions],
            criteria=EVENT_CRITERIA[event],
        )
    return len(todo)
