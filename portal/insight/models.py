# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rollups that the insight pages read instead of the raw tables. Event handlers keep
them current (``handlers.py``); ``manage.py rebuild_insight`` rebuilds them from scratch.
They hold counts and times only: contact data stays in leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
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
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
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
            models.Index(fields=["day", "program"], name="insight_daily_day"),
            models.Index(fields=["organisation", "day"], name="insight_daily_org"),
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
    """One row per key, "no organisation" included (a NULL never equals a NULL in a plain
    unique index, so that case has its own partial one)."""
    return [
        models.UniqueConstraint(
            fields=[*fields, "organisation"],
            condition=models.Q(organisation__isnull=False),
            name=f"{name}_org",
        ),
        models.UniqueConstraint(
            fields=list(fields), condition=models.Q(organisation__isnull=True), name=name
        ),
    ]


class FunnelDaily(models.Model):
    """``LeadDaily`` without the referrer: leads submitted on ``day`` (site time zone) in one
    program through one source, of one partner organisation (or none), and how many of
    them reached each later step (a cohort). The funnel and partner health read it whenever
    the viewer's scope and filters do not go through people (teams, profiles): a few
    thousand rows a year instead of one a lead."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(max_length=8)
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = _one_row_per("insight_one_funnel_row", "day", "program", "source")
        indexes = [
            models.Index(fields=["day", "program"], name="insight_funnel_day"),
            models.Index(fields=["organisation", "day"], name="insight_funnel_org"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.submitted}"


class RevenueDaily(models.Model):
    """Deals won on ``day`` (site time zone) in one program, of one partner organisation (or
    none), in one currency, that are not reversed: how many and their value. Money and the
    revenue chart read it whenever the scope and filters do not go through people."""

    day = models.DateField()
    program = models.ForeignKey("leads.Program", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    currency = models.CharField(max_length=3)
    won = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = _one_row_per("insight_one_revenue_row", "day", "program", "currency")
        indexes = [
            models.Index(fields=["day", "program"], name="insight_revenue_day"),
            models.Index(fields=["organisation", "day"], name="insight_revenue_org"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency}: {self.revenue}"
