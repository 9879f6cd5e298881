# SPDX-License-Identifier: AGPL-3.0-or-later
"""Asking at the right moment: a campaign sends a referral ask on a trigger, once per
person and trigger, with an optional reminder, a quiet period per person and an
unsubscribe that every campaign honours."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    WON = "won", _("A lead is won")
    MILESTONE = "milestone", _("A referrer reaches a higher tier")
    DAYS_AFTER_WON = "days_after_won", _("Some days after a lead is won")
    CSV = "csv", _("A list of customers (CSV)")


class Campaign(models.Model):
    program = models.ForeignKey(
        "leads.Program",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    days_after_won = models.PositiveIntegerField(
        _("days after the win"),
        default=0,
        help_text=_("Only for the trigger “Some days after a lead is won”."),
    )
    subject_a = models.CharField(_("subject A"), max_length=200)
    subject_b = models.CharField(
        _("subject B"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Half of the people get this subject instead, to compare."),
    )
    body = models.TextField(_("message"))
    reminder_days = models.PositiveIntegerField(
        _("reminder after days"),
        default=0,
        help_text=_("Remind once after this many days if the person has not referred; 0: never."),
    )
    quiet_days = models.PositiveIntegerField(
        _("quiet period in days"),
        default=30,
        help_text=_("Nobody gets an ask if they got one from any campaign in this many days."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Variant(models.TextChoices):
    A = "A", "A"
    B = "B", "B"


class CampaignSend(models.Model):
    """One ask to one person for one trigger (a won lead, a tier, a CSV address)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sends")
    email = models.CharField(max_length=254)  # normalised
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_sends",
    )
    trigger_key = models.CharField(max_length=64)
    variant = models.CharField(max_length=1, choices=Variant.choices)
    language = models.CharField(max_length=8, blank=True)
    sent_at = models.DateTimeField(db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email", "trigger_key"], name="campaign_send_once"
            )
        ]
        indexes = [models.Index(fields=["email", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.trigger_key}:{self.variant}"


class CampaignOptOut(models.Model):
    """An address that asked for no more referral asks, from any campaign."""

    email = models.CharField(max_length=254, unique=True)  # normalised
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"opt-out {self.pk}"
