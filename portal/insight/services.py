# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keeping the insight rollups (``models.py``) in step with what happened.

The handlers (``handlers.py``) call the ``*_apply`` functions once per event, inside the
event's claim transaction, so an event is counted once however often it is retried.
``insight_rebuild`` recomputes everything from the leads, their audit trail and the
points ledger (``manage.py rebuild_insight``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.leads.models import Lead, LeadStatus
from portal.rewards.models import LedgerEntry

from .models import (
    DAY_US,
    HOUR_US,
    MONTH_US,
    QUARTER_HOUR_US,
    FunnelDaily,
    LeadDaily,
    LeadFact,
    PointsDaily,
    ReferrerMonth,
    RevenueDaily,
    StepDuration,
    duration_bucket,
)


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in the site time zone (rollups are per local day)."""
    return timezone.localtime(moment).date()


def _daily_row(fact: LeadFact) -> LeadDaily:
    row, _ = LeadDaily.objects.get_or_create(
        referrer_id=fact.referrer_id,
        day=local_day(fact.submitted_at),
        program_id=fact.program_id,
        source=fact.source,
        defaults={"organisation_id": fact.organisation_id, "team_id": fact.team_id},
    )
    return row


def _count(fact: LeadFact, **steps: int) -> None:
    """Add ``steps`` (submitted, qualified, won, reversed: +1) to the fact's cohort rows,
    with its referrer (``LeadDaily``, ``ReferrerMonth``) and without (``FunnelDaily``)."""
    changes = {step: F(step) + n for step, n in steps.items()}
    daily = _daily_row(fact)
    LeadDaily.objects.filter(pk=daily.pk).update(**changes)
    month, _ = ReferrerMonth.objects.get_or_create(  # with the day row's organisation, team
        referrer_id=daily.referrer_id,
        month=daily.day.replace(day=1),
        organisation_id=daily.organisation_id,
        team_id=daily.team_id,  # type: ignore[misc]  # (the stubs miss null=True here)
    )
    ReferrerMonth.objects.filter(pk=month.pk).update(**changes)
    funnel, _ = FunnelDaily.objects.get_or_create(
        day=local_day(fact.submitted_at),
        program_id=fact.program_id,
        source=fact.source,
        organisation_id=fact.organisation_id,
        team_id=fact.team_id,  # type: ignore[misc]  # (the stubs miss null=True here)
    )
    FunnelDaily.objects.filter(pk=funnel.pk).update(**changes)


def _count_duration(fact: LeadFact, step: str, since: datetime, until: datetime) -> None:
    """Count the time the fact's lead spent in ``step`` (qualify: submitted to qualified;
    win: qualified to won) in its cohort's duration bucket."""
    micros = (until - since) // timedelta(microseconds=1)
    row, _ = StepDuration.objects.get_or_create(
        day=local_day(fact.submitted_at),
        program_id=fact.program_id,
        source=fact.source,
        organisation_id=fact.organisation_id,
        team_id=fact.team_id,  # type: ignore[misc]  # (the stubs miss null=True here)
        step=step,
        bucket=duration_bucket(micros),
    )
    StepDuration.objects.filter(pk=row.pk).update(leads=F("leads") + 1, micros=F("micros") + micros)


def _count_revenue(fact: LeadFact, sign: int) -> None:
    """Add (+1) or take back (-1) the fact's won deal in the day it was won."""
    if fact.won_at is None:
        return
    row, _ = RevenueDaily.objects.get_or_create(
        day=local_day(fact.won_at),
        program_id=fact.program_id,
        organisation_id=fact.organisation_id,
        team_id=fact.team_id,  # type: ignore[misc]  # (the stubs miss null=True here)
        currency=fact.deal_currency,
    )
    RevenueDaily.objects.filter(pk=row.pk).update(
        won=F("won") + sign, revenue=F("revenue") + sign * (fact.deal_value or Decimal("0.00"))
    )


def leads_submitted_apply(*, leads: list[Lead]) -> list[LeadFact]:
    """Count newly submitted leads in their days' cohorts (a worker's batch of
    ``lead.submitted``, or one lead whose status event came first): a few statements per
    rollup table for the whole batch. Leads already counted are left alone. Locks nothing; two
    workers creating one rollup row at once both count in it (``_bump``)."""
    counted = set(
        LeadFact.objects.filter(lead_id__in=[lead.pk for lead in leads]).values_list(
            "lead_id", flat=True
        )
    )
    fresh = list({lead.pk: lead for lead in leads if lead.pk not in counted}.values())
    if not fresh:
        return []
    teams = dict(
        User.objects.filter(pk__in={lead.referrer_id for lead in fresh}).values_list(
            "pk", "team_id"
        )
    )
    facts = LeadFact.objects.bulk_create(
        LeadFact(
            lead=lead,
            program_id=lead.program_id,
            referrer_id=lead.referrer_id,
            organisation_id=lead.organisation_id,
            team_id=teams.get(lead.referrer_id),
            source=lead.source,
            status=lead.status,
            submitted_at=lead.submitted_at,
        )
        for lead in fresh
    )
    _count_many(facts, "submitted")
    return facts


def _bump(
    model: type[Model],
    keys: Counter[tuple],
    fields: tuple[str, ...],
    step: str,
    defaults: dict[tuple, dict[str, Any]] | None = None,
) -> list[Any]:
    """Add ``keys[key]`` to ``step`` in the row of each key (values of ``fields``), creating
    the missing rows (with ``defaults[key]``), as get_or_create then an F() update would:
    one read; for rows missing, one insert that leaves alone a row another worker created
    meanwhile (its unique constraint) and one read of them; one update per distinct
    amount (the increment happens in the database, so concurrent workers add up). Returns
    the rows, in the order of ``keys`` (their ``step`` as read, before the increment)."""
    if not keys:
        return []
    manager = model._default_manager

    def read(wanted: Iterable[tuple]) -> dict[tuple, Any]:
        # Each field among the values it takes (a NULL as NULL), then the rows of the keys
        # wanted: the ORM compiles one IN per field in a fraction of the time it takes to
        # compile an OR of every key's fields, and a batch's keys share their days,
        # programs and sources, so few other rows come back.
        wanted = set(wanted)
        where = Q()
        for index, field in enumerate(fields):
            values = {key[index] for key in wanted}
            among = Q(**{f"{field}__in": values - {None}})
            where &= (among | Q(**{f"{field}__isnull": True})) if None in values else among
        found = ((tuple(getattr(row, f) for f in fields), row) for row in manager.filter(where))
        return {key: row for key, row in found if key in wanted}

    rows = read(keys)
    if missing := [key for key in keys if key not in rows]:
        manager.bulk_create(
            [
                model(**dict(zip(fields, key, strict=True)), **(defaults or {}).get(key, {}))
                for key in missing
            ],
            ignore_conflicts=True,
        )
        rows.update(read(missing))
    by_amount: dict[int, list[int]] = {}
    for key, amount in keys.items():
        by_amount.setdefault(amount, []).append(rows[key].pk)
    for amount, pks in by_amount.items():
        manager.filter(pk__in=pks).update(**{step: F(step) + amount})
    return [rows[key] for key in keys]


def _count_many(facts: list[LeadFact], step: str) -> None:
    """``_count(fact, **{step: 1})`` for many facts: the same rows, set-wise (``_bump``). A
    day row keeps the organisation and team it was created with (those of its first
    fact), and its month row follows it, as in ``_count``."""
    days: Counter[tuple] = Counter()
    defaults: dict[tuple, dict[str, Any]] = {}
    for f in facts:
        key = (f.referrer_id, local_day(f.submitted_at), f.program_id, f.source)
        days[key] += 1
        defaults.setdefault(key, {"organisation_id": f.organisation_id, "team_id": f.team_id})
    daily = _bump(LeadDaily, days, ("referrer_id", "day", "program_id", "source"), step, defaults)
    months: Counter[tuple] = Counter()
    for row, n in zip(daily, days.values(), strict=True):
        months[(row.referrer_id, row.day.replace(day=1), row.organisation_id, row.team_id)] += n
    _bump(ReferrerMonth, months, ("referrer_id", "month", "organisation_id", "team_id"), step)
    _bump(
        FunnelDaily,
        Counter(
            (local_day(f.submitted_at), f.program_id, f.source, f.organisation_id, f.team_id)
            for f in facts
        ),
        ("day", "program_id", "source", "organisation_id", "team_id"),
        step,
    )


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
    (lost, rejected) keep the steps it reached; the time spent in each step is counted
    once both its ends are known. Locks the lead's fact row."""
    with transaction.atomic():
        fact = LeadFact.objects.select_for_update().filter(lead=lead).first()
        if fact is None:  # its submission has not been handled yet: handle it now
            leads_submitted_apply(leads=[lead])
            fact = LeadFact.objects.select_for_update().get(lead=lead)
        fact.status = to_status
        step = {LeadStatus.QUALIFIED: "qualified", LeadStatus.WON: "won"}.get(to_status)  # type: ignore[call-overload]
        if step and getattr(fact, f"{step}_at") is None:
            setattr(fact, f"{step}_at", at)
            if step == "won":
                fact.deal_value, fact.deal_currency = deal_value, deal_currency
                if fact.reversed_at is None:
                    _count_revenue(fact, +1)
            _count(fact, **{step: 1})
            if step == "qualified":
                _count_duration(fact, "qualify", fact.submitted_at, at)
            if fact.qualified_at is not None and fact.won_at is not None:
                _count_duration(fact, "win", fact.qualified_at, fact.won_at)
        fact.save()


def lead_reversed_apply(*, lead: Lead, at: datetime) -> None:
    """A won deal was reversed (refund, chargeback): its revenue no longer counts. Once."""
    with transaction.atomic():
        fact = LeadFact.objects.select_for_update().filter(lead=lead).first()
        if fact is None or fact.reversed_at is not None:
            return
        fact.reversed_at = at
        fact.save(update_fields=["reversed_at"])
        _count(fact, reversed=1)
        if fact.won_at is not None:
            _count_revenue(fact, -1)


def points_recorded_apply_many(*, payloads: list[tuple[dict[str, Any], datetime]]) -> None:
    """Add the ledger entries of ``points.recorded`` events (their payloads and times)
    earned through a lead to their participants' days, set-wise (``_bump``): one read,
    one insert and an update per distinct amount for a whole batch. Entries that spend or
    refund points on rewards are not earnings and are skipped. Locks nothing."""
    days: Counter[tuple] = Counter()
    for payload, at in payloads:
        if payload.get("lead") is None or payload.get("program") is None:
            continue
        days[(payload["participant"], local_day(at), payload["program"])] += int(payload["amount"])
    _bump(PointsDaily, days, ("participant_id", "day", "program_id"), "points")


def _day_sql(column: str) -> tuple[str, tuple]:
    """SQL for the site-time-zone calendar day of a datetime column (``local_day``)."""
    return connection.ops.datetime_cast_date_sql(column, (), timezone.get_current_timezone_name())


def _micros_sql(later: str, earlier: str) -> str:
    """SQL for ``later - earlier`` (datetime columns) in whole microseconds."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000 AS BIGINT)"
    return f"django_timestamp_diff({later}, {earlier})"  # SQLite: Django's own function


def _bucket_sql(micros: str) -> str:
    """SQL for ``models.duration_bucket`` of a duration in microseconds."""
    day, month = DAY_US, MONTH_US
    return f"""CASE WHEN {micros} < 0 THEN -1
        WHEN {micros} < {day} THEN {micros} / {QUARTER_HOUR_US}
        WHEN {micros} < {month} THEN 96 + ({micros} - {day}) / {HOUR_US}
        ELSE {96 + 29 * 24} + ({micros} - {month}) / {day} END"""


KEPT_TEAMS = "insight_rebuild_kept_teams"


def _rebuild_sql() -> list[tuple[str, tuple]]:
    """The rebuild as INSERT ... SELECT ... GROUP BY statements, in order: the facts from
    the leads and their audit trail (the team recorded at submission kept, see
    ``insight_rebuild``), then each rollup from the facts (and the points from the
    ledger). Set-based: the database does the work in a few passes."""
    lead_type = ContentType.objects.get_for_model(Lead).pk
    submitted_day, p1 = _day_sql("submitted_at")
    won_day, p2 = _day_sql("won_at")
    entry_day, p3 = _day_sql("created_at")
    q, w = LeadStatus.QUALIFIED.value, LeadStatus.WON.value
    facts = f"""
        INSERT INTO {LeadFact._meta.db_table} (lead_id, program_id, referrer_id,
            organisation_id, team_id, source, status, submitted_at, qualified_at, won_at,
            reversed_at, deal_value, deal_currency)
        SELECT l.id, l.program_id, l.referrer_id, l.organisation_id,
            CASE WHEN k.lead_id IS NULL THEN u.team_id ELSE k.team_id END,
            l.source, l.status,
            l.submitted_at, a.qualified_at, a.won_at, l.deal_reversed_at,
            CASE WHEN a.won_at IS NOT NULL THEN l.deal_value END,
            CASE WHEN a.won_at IS NOT NULL THEN l.deal_currency ELSE '' END
        FROM {Lead._meta.db_table} l
        JOIN {User._meta.db_table} u ON u.id = l.referrer_id
        LEFT JOIN {KEPT_TEAMS} k ON k.lead_id = l.id
        LEFT JOIN (
            SELECT target_id,
                MIN(CASE WHEN to_state = %s THEN created_at END) AS qualified_at,
                MIN(CASE WHEN to_state = %s THEN created_at END) AS won_at
            FROM {AuditEvent._meta.db_table}
            WHERE target_type_id = %s AND action LIKE %s AND to_state IN (%s, %s)
            GROUP BY target_id
        ) a ON a.target_id = CAST(l.id AS VARCHAR(64))
    """  # noqa: S608 - our own table names
    counts = "COUNT(*), COUNT(qualified_at), COUNT(won_at), COUNT(reversed_at)"
    daily = f"""
        INSERT INTO {LeadDaily._meta.db_table} (referrer_id, day, program_id, source,
            organisation_id, team_id, submitted, qualified, won, reversed)
        SELECT referrer_id, {submitted_day}, program_id, source, MIN(organisation_id),
            MIN(team_id), {counts}
        FROM {LeadFact._meta.db_table}
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608
    funnel = f"""
        INSERT INTO {FunnelDaily._meta.db_table} (day, program_id, source, organisation_id,
            team_id, submitted, qualified, won, reversed)
        SELECT {submitted_day}, program_id, source, organisation_id, team_id, {counts}
        FROM {LeadFact._meta.db_table}
        GROUP BY 1, 2, 3, 4, 5
    """  # noqa: S608
    to_qualify = _micros_sql("qualified_at", "submitted_at")
    to_win = _micros_sql("won_at", "qualified_at")
    durations = f"""
        INSERT INTO {StepDuration._meta.db_table} (day, program_id, source, organisation_id,
            team_id, step, bucket, leads, micros)
        SELECT day, program_id, source, organisation_id, team_id, step, {_bucket_sql("m")},
            COUNT(*), SUM(m)
        FROM (
            SELECT {submitted_day} AS day, program_id, source, organisation_id, team_id,
                'qualify' AS step, {to_qualify} AS m
            FROM {LeadFact._meta.db_table} WHERE qualified_at IS NOT NULL
            UNION ALL
            SELECT {submitted_day}, program_id, source, organisation_id, team_id,
                'win', {to_win}
            FROM {LeadFact._meta.db_table}
            WHERE qualified_at IS NOT NULL AND won_at IS NOT NULL
        ) d
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """  # noqa: S608
    month, p4 = connection.ops.date_trunc_sql("month", "day", ())
    months = f"""
        INSERT INTO {ReferrerMonth._meta.db_table} (referrer_id, month, organisation_id,
            team_id, submitted, qualified, won, reversed)
        SELECT referrer_id, {month}, organisation_id, team_id, SUM(submitted),
            SUM(qualified), SUM(won), SUM(reversed)
        FROM {LeadDaily._meta.db_table}
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608
    revenue = f"""
        INSERT INTO {RevenueDaily._meta.db_table} (day, program_id, organisation_id,
            team_id, currency, won, revenue)
        SELECT {won_day}, program_id, organisation_id, team_id, deal_currency, COUNT(*),
            COALESCE(SUM(deal_value), 0)
        FROM {LeadFact._meta.db_table}
        WHERE won_at IS NOT NULL AND reversed_at IS NULL
        GROUP BY 1, 2, 3, 4, 5
    """  # noqa: S608
    points = f"""
        INSERT INTO {PointsDaily._meta.db_table} (participant_id, day, program_id, points)
        SELECT participant_id, {entry_day}, program_id, SUM(amount)
        FROM {LedgerEntry._meta.db_table}
        WHERE lead_id IS NOT NULL AND program_id IS NOT NULL
        GROUP BY 1, 2, 3
    """  # noqa: S608
    return [
        (facts, (q, w, lead_type, "lead.%", q, w)),
        (daily, p1),
        (funnel, p1),
        (months, p4),
        (durations, (*p1, *p1)),
        (revenue, p2),
        (points, p3),
    ]


def insight_rebuild() -> dict[str, int]:
    """Recompute every rollup from the source of truth: leads (submission, deal, reversal),
    the audit trail (when each lead was first qualified and won) and the points ledger.
    The team a lead was submitted in is kept from its fact (the present team of the
    referrer for a lead without one: no history records it). Replaces the rollups in one
    transaction with a few INSERT ... SELECT statements; run it while no events are being
    handled (or run it again), since an event handled during the rebuild may count twice."""
    models = (
        LeadFact,
        LeadDaily,
        ReferrerMonth,
        FunnelDaily,
        StepDuration,
        RevenueDaily,
        PointsDaily,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEPT_TEAMS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {KEPT_TEAMS} AS "  # noqa: S608
            f"SELECT lead_id, team_id FROM {LeadFact._meta.db_table}"
        )
        for model in models:
            model.objects.all().delete()
        for sql, params in _rebuild_sql():
            cursor.execute(sql, params)
        cursor.execute(f"DROP TABLE {KEPT_TEAMS}")
    return {
        "leads": LeadFact.objects.count(),
        "daily": LeadDaily.objects.count(),
        "months": ReferrerMonth.objects.count(),
        "funnel": FunnelDaily.objects.count(),
        "durations": StepDuration.objects.count(),
        "revenue": RevenueDaily.objects.count(),
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
