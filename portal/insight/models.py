# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rollups that the insight pages read instead of the raw tables. Event handlers keep
them current (``handlers.py``); ``manage.py rebuild_insight`` rebuilds them from scratch.
They hold counts and times only: contact data stays in leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# ``team`` on the facts and rollups: the referrer's team when the lead was submitted (None:
# no team). A manager's figures follow it, so a person who changes teams leaves their
# earlier leads with the team they were in. A deleted team's rows keep counting for
# everyone else (no database constraint).


def _organisation() -> models.ForeignKey:
    """A rollup's partner organisation: none for an employee's leads (not indexed alone:
    each rollup indexes it with the day)."""
    return models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )


def _team() -> models.ForeignKey:
    """The team the referrer was in when the lead was submitted (kept when the team is
    deleted: no database constraint)."""
    return models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )


# The keys a page filters rollup rows by, besides the day: carried in the covering
# indexes (``include``, PostgreSQL only) that let a period's rows be read from the index
# alone (measured on 1,000,000 leads: the 90-day profiles 77 → 34 ms, the step durations
# 37 → 19 ms).
_KEYS = ["organisation", "team"]


class LeadFact(models.Model):
    """One row per lead: when it reached each step of the funnel (for medians and for the
    list of leads behind a figure)."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = _organisation()
    team = _team()
    source = models.CharField(max_length=8)
    status = models.CharField(max_length=16)
    submitted_at = models.DateTimeField()
    qualified_at = models.DateTimeField(null=True, blank=True)
    won_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    deal_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    deal_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["submitted_at"], name="insight_fact_submitted"),
            models.Index(fields=["program", "submitted_at"], name="insight_fact_program"),
            models.Index(fields=["referrer", "submitted_at"], name="insight_fact_referrer"),
            models.Index(fields=["organisation", "submitted_at"], name="insight_fact_org"),
            models.Index(fields=["team", "submitted_at"], name="insight_fact_team"),
            models.Index(
                fields=["won_at"], name="insight_fact_won", condition=models.Q(won_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"lead #{self.lead_id}"


class LeadDaily(models.Model):
    """Leads submitted on ``day`` (site time zone) by one referrer in one program through
    one source, and how many of them have reached each later step so far (a cohort)."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = _organisation()
    team = _team()
    source = models.CharField(max_length=8)
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referrer", "day", "program", "source"], name="insight_one_daily_row"
            )
        ]
        indexes = [
            # Covering (PostgreSQL): a period's rows are read from the index alone.
            models.Index(
                fields=["day", "program"],
                include=[*_KEYS, "referrer", "submitted", "won", "reversed"],
                name="insight_daily_day_cover",
            ),
            models.Index(fields=["organisation", "day"], name="insight_daily_org"),
            models.Index(fields=["team", "day"], name="insight_daily_team"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.submitted}"


class PointsDaily(models.Model):
    """Points a participant earned through leads (net of reversals) on ``day`` in one
    program; spending on rewards is not earning and is left out."""

    day = models.DateField()
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "day", "program"],
                name="insight_one_points_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.points}"


def _one_row_per(name: str, *fields: str) -> list[models.BaseConstraint]:
    """One row per key with its organisation and team, "none" included (a NULL never
    equals a NULL in a plain unique index, so each case has its own partial one)."""
    out: list[models.BaseConstraint] = []
    for organisation in (True, False):
        for team in (True, False):
            key = [*fields, *(["organisation"] if organisation else [])]
            key += ["team"] if team else []
            suffix = ("_org" if organisation else "") + ("_team" if team else "")
            out.append(
                models.UniqueConstraint(
                    fields=key,
                    condition=models.Q(organisation__isnull=not organisation)
                    & models.Q(team__isnull=not team),
                    name=f"{name}{suffix}",
                )
            )
    return out


class FunnelDaily(models.Model):
    """``LeadDaily`` without the referrer: leads submitted on ``day`` (site time zone) in one
    program through one source, of one partner organisation (or none) and one team (the
    referrer's when the lead was submitted, or none), and how many of them reached each
    later step (a cohort). The funnel and partner health read it whenever the viewer's
    filters do not name people (a referrer profile): tens of thousands of rows a year
    instead of one a lead."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    organisation = _organisation()
    team = _team()
    source = models.CharField(max_length=8)
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = _one_row_per("insight_one_funnel_row", "day", "program", "source")
        indexes = [
            models.Index(
                fields=["day", "program"],
                include=[*_KEYS, "source", "submitted", "qualified", "won"],
                name="insight_funnel_day_cover",
            ),
            # Partner health: each organisation's recent submissions, from the index.
            models.Index(
                fields=["organisation", "day"],
                include=["submitted"],
                name="insight_funnel_org_cover",
            ),
            models.Index(fields=["team", "day"], name="insight_funnel_team"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.submitted}"


class RevenueDaily(models.Model):
    """Deals won on ``day`` (site time zone) in one program, of one partner organisation (or
    none) and team (at submission, or none), in one currency, that are not reversed: how
    many and their value. Money and the revenue chart read it whenever the filters do not
    name people."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    organisation = _organisation()
    team = _team()
    currency = models.CharField(max_length=3)
    won = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = _one_row_per("insight_one_revenue_row", "day", "program", "currency")
        indexes = [
            models.Index(fields=["day", "program"], name="insight_revenue_day"),
            models.Index(fields=["organisation", "day"], name="insight_revenue_org"),
            models.Index(fields=["team", "day"], name="insight_revenue_team"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency}: {self.revenue}"


# Durations are kept in buckets: a quarter of an hour under a day, an hour under 30 days,
# a day beyond (and one bucket for the odd negative duration). Each bucket holds how many
# durations fell in it and their sum, so a median is the average of the durations of the
# bucket it falls in: exact when they are equal, otherwise off by less than the bucket's
# width (15 minutes, 1 hour, 1 day).
QUARTER_HOUR_US = 15 * 60 * 1_000_000
HOUR_US = 60 * 60 * 1_000_000
DAY_US = 24 * HOUR_US
MONTH_US = 30 * DAY_US


def duration_bucket(micros: int) -> int:
    """The bucket of a duration in microseconds (``StepDuration``); buckets sort as the
    durations they hold do."""
    if micros < 0:
        return -1
    if micros < DAY_US:
        return micros // QUARTER_HOUR_US
    if micros < MONTH_US:
        return 96 + (micros - DAY_US) // HOUR_US
    return 96 + 29 * 24 + (micros - MONTH_US) // DAY_US


class StepDuration(models.Model):
    """The time the leads submitted on ``day`` (site time zone) in one program through one
    source, of one organisation and team (as ``FunnelDaily``), spent in one step: from
    submitted to qualified (``step`` "qualify") or from qualified to won ("win"), counted
    in duration buckets (``duration_bucket``): how many leads and the sum of their times.
    The funnel's medians read it instead of one row per lead."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    organisation = _organisation()
    team = _team()
    source = models.CharField(max_length=8)
    step = models.CharField(max_length=8)  # "qualify" or "win"
    bucket = models.IntegerField()
    leads = models.IntegerField(default=0)
    micros = models.BigIntegerField(default=0)  # the sum of their durations

    class Meta:
        constraints = _one_row_per(
            "insight_one_duration_row", "day", "program", "source", "step", "bucket"
        )
        indexes = [
            models.Index(
                fields=["day", "program"],
                include=[*_KEYS, "source", "step", "bucket", "leads", "micros"],
                name="insight_duration_day_cover",
            ),
            models.Index(fields=["organisation", "day"], name="insight_duration_org"),
            models.Index(fields=["team", "day"], name="insight_duration_team"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.step} #{self.bucket}: {self.leads}"


class ReferrerMonth(models.Model):
    """``LeadDaily`` by calendar month and without program or source: one referrer's leads
    submitted in ``month`` (its first day, site time zone) under one organisation and team
    (those of the day rows it sums), and how many reached each step. Referrer profiles
    read whole months here and only the days at a period's ends from ``LeadDaily``."""

    month = models.DateField()
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = _organisation()
    team = _team()
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = _one_row_per("insight_one_referrer_month", "referrer", "month")
        indexes = [
            models.Index(
                fields=["month"],
                include=[*_KEYS, "referrer", "submitted", "won", "reversed"],
                name="insight_month_month_cover",
            ),
            models.Index(fields=["organisation", "month"], name="insight_month_org"),
            models.Index(fields=["team", "month"], name="insight_month_team"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.submitted}"
