# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keeping the insight rollups (``models.py``) in step with what happened.

The handlers (``handlers.py``) call the ``*_apply`` functions once per event, inside the
event's claim transaction, so an event is counted once however often it is retried.
``insight_rebuild`` recomputes everything from the leads, their audit trail and the
points ledger (``manage.py rebuild_insight``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.leads.models import Lead, LeadStatus
from portal.rewards.models import LedgerEntry

from .models import LeadDaily, LeadFact, PointsDaily


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in the site time zone (rollups are per local day)."""
    return timezone.localtime(moment).date()


def _daily_row(fact: LeadFact) -> LeadDaily:
    row, _ = LeadDaily.objects.get_or_create(
        referrer_id=fact.referrer_id,
        day=local_day(fact.submitted_at),
        program_id=fact.program_id,
        source=fact.source,
        defaults={"organisation_id": fact.organisation_id},
    )
    return row


def lead_submitted_apply(*, lead: Lead) -> LeadFact | None:
    """Count a newly submitted lead in its day's cohort. Runs once per ``lead.submitted``
    event (the event's claim); a lead already counted (after a rebuild) is left alone."""
    fact, created = LeadFact.objects.get_or_create(
        lead=lead,
        defaults={
            "program_id": lead.program_id,
            "referrer_id": lead.referrer_id,
            "organisation_id": lead.organisation_id,
            "source": lead.source,
            "status": lead.status,
            "submitted_at": lead.submitted_at,
        },
    )
    if not created:
        return None
    row = _daily_row(fact)
    LeadDaily.objects.filter(pk=row.pk).update(submitted=F("submitted") + 1)
    return fact


def lead_status_apply(
    *,
    lead: Lead,
    to_status: str,
    at: datetime,
    deal_value: Decimal | None = None,
    deal_currency: str = "",
) -> None:
    """Record a lead's new status, dated ``at`` (the event's time). Reaching qualified or
    won counts once per lead in the cohort of the day it was submitted; later statuses
    (lost, rejected) keep the steps it reached. Locks the lead's fact row."""
    with transaction.atomic():
        fact = LeadFact.objects.select_for_update().filter(lead=lead).first()
        if fact is None:  # its submission has not been handled yet: handle it now
            lead_submitted_apply(lead=lead)
            fact = LeadFact.objects.select_for_update().get(lead=lead)
        fact.status = to_status
        step = {LeadStatus.QUALIFIED: "qualified", LeadStatus.WON: "won"}.get(to_status)  # type: ignore[call-overload]
        if step and getattr(fact, f"{step}_at") is None:
            setattr(fact, f"{step}_at", at)
            if step == "won":
                fact.deal_value, fact.deal_currency = deal_value, deal_currency
            LeadDaily.objects.filter(pk=_daily_row(fact).pk).update(**{step: F(step) + 1})
        fact.save()


def lead_reversed_apply(*, lead: Lead, at: datetime) -> None:
    """A won deal was reversed (refund, chargeback): its revenue no longer counts. Once."""
    with transaction.atomic():
        fact = LeadFact.objects.select_for_update().filter(lead=lead).first()
        if fact is None or fact.reversed_at is not None:
            return
        fact.reversed_at = at
        fact.save(update_fields=["reversed_at"])
        LeadDaily.objects.filter(pk=_daily_row(fact).pk).update(reversed=F("reversed") + 1)


def points_recorded_apply(
    *, participant_id: int, program_id: int | None, amount: int, at: datetime, lead_id: int | None
) -> None:
    """Add a ledger entry earned through a lead to its participant's day. Entries that
    spend or refund points on rewards are not earnings and are skipped."""
    if lead_id is None or program_id is None:
        return
    row, _ = PointsDaily.objects.get_or_create(
        participant_id=participant_id, day=local_day(at), program_id=program_id
    )
    PointsDaily.objects.filter(pk=row.pk).update(points=F("points") + amount)


def _step_times(status: str) -> dict[int, datetime]:
    """When each lead first reached ``status``, from its audit trail."""
    rows = (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Lead),
            action__startswith="lead.",
            to_state=status,
        )
        .values("target_id")
        .annotate(first=Min("created_at"))
    )
    return {int(r["target_id"]): r["first"] for r in rows}


def insight_rebuild() -> dict[str, int]:
    """Recompute every rollup from the source of truth: leads (submission, deal, reversal),
    the audit trail (when each lead was first qualified and won) and the points ledger.
    Replaces the rollups in one transaction; run it while no events are being handled
    (or run it again), since an event handled during the rebuild may count twice."""
    qualified = _step_times(LeadStatus.QUALIFIED)
    won = _step_times(LeadStatus.WON)
    with transaction.atomic():
        LeadFact.objects.all().delete()
        LeadDaily.objects.all().delete()
        PointsDaily.objects.all().delete()
        facts: list[LeadFact] = []
        daily: dict[tuple, LeadDaily] = {}
        for lead in Lead.objects.order_by("pk").iterator(chunk_size=5000):
            won_at = won.get(lead.pk)
            fact = LeadFact(
                lead_id=lead.pk,
                program_id=lead.program_id,
                referrer_id=lead.referrer_id,
                organisation_id=lead.organisation_id,
                source=lead.source,
                status=lead.status,
                submitted_at=lead.submitted_at,
                qualified_at=qualified.get(lead.pk),
                won_at=won_at,
                reversed_at=lead.deal_reversed_at,
                deal_value=lead.deal_value if won_at else None,
                deal_currency=lead.deal_currency if won_at else "",
            )
            facts.append(fact)
            key = (lead.referrer_id, local_day(lead.submitted_at), lead.program_id, lead.source)
            row = daily.get(key)
            if row is None:
                row = daily[key] = LeadDaily(
                    referrer_id=key[0],
                    day=key[1],
                    program_id=key[2],
                    source=key[3],
                    organisation_id=lead.organisation_id,
                )
            row.submitted += 1
            row.qualified += fact.qualified_at is not None
            row.won += won_at is not None
            row.reversed += fact.reversed_at is not None
            if len(facts) >= 5000:
                LeadFact.objects.bulk_create(facts)
                facts = []
        LeadFact.objects.bulk_create(facts)
        LeadDaily.objects.bulk_create(daily.values(), batch_size=5000)
        points = (
            LedgerEntry.objects.filter(lead__isnull=False, program__isnull=False)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("participant_id", "day", "program_id")
            .annotate(total=Sum("amount"))
        )
        PointsDaily.objects.bulk_create(
            (
                PointsDaily(
                    participant_id=p["participant_id"],
                    day=p["day"],
                    program_id=p["program_id"],
                    points=p["total"],
                )
                for p in points
            ),
            batch_size=5000,
        )
    return {
        "leads": LeadFact.objects.count(),
        "daily": LeadDaily.objects.count(),
        "points": PointsDaily.objects.count(),
    }


def partner_health_digest_send(*, on: date) -> int:
    """Weekly: one line for every reviewer naming the partner organisations that need
    attention (quiet, or their count halved; ``selectors.partner_health``). Sends nothing
    when all are well. Changes nothing else, so a rerun only repeats the notice. Returns
    how many reviewers were notified."""
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from portal.accounts.roles import STAFF_GROUPS, Role
    from portal.notifications.services import notify

    from .selectors import InsightScope, partner_health

    attention = partner_health(scope=InsightScope(everything=True), on=on)
    if not attention:
        return 0
    group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
    reviewers = list(group.user_set.filter(is_active=True)) if group else []
    names = ", ".join(h.organisation.name for h in attention)
    for reviewer in reviewers:
        notify(
            user=reviewer,
            kind="partner_health",
            context={"count": len(attention), "names": names},
            url=reverse("insight:home") + "#health",
        )
    return len(reviewers)
