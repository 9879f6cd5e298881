# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ranking import METRICS


class Eligibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    EMPLOYEES = "employees", _("Employees")
    PARTNERS = "partners", _("Partners")
    TIER = "tier", _("A tier")
    TEAM = "team", _("A team")
    PROFILE = "profile", _("A referrer profile")


class Profile(models.TextChoices):
    """The referrer profiles of the insight page (portal/insight), as a contest rule."""

    CONNECTOR = "connector", _("Connector")
    MAVEN = "maven", _("Maven")
    SALESPERSON = "salesperson", _("Salesperson")


class ContestFormat(models.TextChoices):
    RANKING = "ranking", _("Ranking: prizes by rank")
    POT = "pot", _("Pot: a share of a measured total by rank")
    STEPS = "steps", _("Steps: everyone reaching a level wins its prize")
    GOALS = "goals", _("Individual goals: a target per person")
    TEAMS = "teams", _("Team against team")


class Contest(models.Model):
    """A time-boxed competition with its own board and prizes."""

    # Set per viewer on the contests page (board_visible_to); never stored.
    visible: bool

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    metric = models.CharField(
        _("ranked by"), max_length=16, choices=[(m, m) for m in METRICS], default="points"
    )
    eligibility = models.CharField(
        _("who takes part"),
        max_length=16,
        choices=Eligibility.choices,
        default=Eligibility.EVERYONE,
    )
    tier = models.ForeignKey(
        "rewards.Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    profile = models.CharField(
        _("referrer profile"),
        max_length=16,
        choices=Profile.choices,
        blank=True,
        help_text=_(
            "With the referrer profile rule: who had this profile in the year before the "
            "contest starts."
        ),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    prizes = models.TextField(
        _("prizes"),
        blank=True,
        help_text=_(
            "One prize per line, first place first. A line starting with “500 points” "
            "awards points; one starting with an amount and a currency (“100 EUR”) is paid "
            "with the next payout. Steps: “level: prize”, lowest level first. Goals: the "
            "prize of everyone who reaches their target."
        ),
    )
    format = models.CharField(
        _("format"), max_length=8, choices=ContestFormat.choices, default=ContestFormat.RANKING
    )
    minimum_score = models.PositiveIntegerField(
        _("minimum score to win"),
        null=True,
        blank=True,
        help_text=_("Ranking and pot: below it, no prize whatever the rank."),
    )
    pot_percent = models.DecimalField(
        _("pot: percentage of the won deal value"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    pot_currency = models.CharField(_("pot currency"), max_length=3, default="EUR")
    pot_shares = models.CharField(
        _("pot: shares by rank (%)"),
        max_length=100,
        blank=True,
        help_text=_("Comma-separated percentages of the pot, first place first: 50,30,20."),
    )
    goal_target = models.PositiveIntegerField(
        _("goals: default target"),
        null=True,
        blank=True,
        help_text=_("For everyone without a target of their own."),
    )
    team_top_n = models.PositiveIntegerField(
        _("teams: members counted"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A team's score is the sum of its best N members."),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    winners = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="contest_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.eligibility == Eligibility.PROFILE and not self.profile:
            raise ValidationError({"profile": _("Choose the referrer profile that takes part.")})

    @property
    def prize_list(self) -> list[str]:
        return [p.strip() for p in self.prizes.splitlines() if p.strip()]

    @property
    def board_scope(self) -> str:
        return f"contest:{self.pk}"

    def is_running(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class ContestGoal(models.Model):
    """An individual goals contest's target for one participant."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="goals")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_goals"
    )
    target = models.PositiveIntegerField(_("target"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("contest target")
        verbose_name_plural = _("contest targets")
        constraints = [
            models.UniqueConstraint(fields=["contest", "participant"], name="one_target_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.contest}: {self.participant} → {self.target}"


class Shoutout(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shoutouts_written"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shoutouts"
    )
    message = models.CharField(_("message"), max_length=280)
    created_at = models.DateTimeField(default=timezone.now)
    posted_to_chat = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("shout-out")
        verbose_name_plural = _("shout-outs")

    def __str__(self) -> str:
        return self.message


class TVScreen(models.Model):
    """An office screen: boards it rotates through, opened with a revocable read-only token."""

    name = models.CharField(_("name"), max_length=120)
    boards = models.CharField(
        _("boards"),
        max_length=500,
        default="everyone.points.month,everyone.qualified.quarter",
        help_text=_("Board ids separated by commas, e.g. everyone.points.month"),
    )
    rotate_seconds = models.PositiveIntegerField(_("seconds per board"), default=20)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("TV screen")
        verbose_name_plural = _("TV screens")

    def __str__(self) -> str:
        return self.name

    @property
    def board_ids(self) -> list[str]:
        return [b.strip() for b in self.boards.split(",") if b.strip()]


class BoardSync(models.Model):
    """One row: when the boards were last rebuilt from the ledger."""

    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rebuilt at {self.rebuilt_at}"
