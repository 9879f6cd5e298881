# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.leads.models import Lead


class Detector(models.TextChoices):
    SHARED_CLIENT = "shared_client", _("One client for many referrers")
    BURST = "burst", _("A burst of submissions")
    RING = "ring", _("A referral ring")
    SELF_REFERRAL = "self_referral", _("Prospect shares the referrer's domain or phone")
    NON_HUMAN = "non_human", _("Link visits that are not human")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Confirmed as fraud")


class SubmissionPrint(models.Model):
    """Where a referral-link submission came from, as keyed hashes (no address is kept):
    the client address, its network, the browser, and the seconds since the link visit."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="submission_print")
    address = models.CharField(max_length=64, blank=True, db_index=True)
    network = models.CharField(max_length=64, blank=True, db_index=True)
    device = models.CharField(max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(max_length=200, blank=True)
    seconds_after_visit = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lead #{self.lead_id}"


class FraudCase(models.Model):
    """A detector's finding: the leads involved (held while open) and the evidence."""

    # Set per reader on the queue page (evidence_lines); never stored.
    lines: list[str]

    detector = models.CharField(_("detector"), max_length=16, choices=Detector.choices)
    # One case per finding ("burst:user:7:2026-11-30T10"): a repeat adds leads to it.
    key = models.CharField(max_length=120)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    evidence = models.JSONField(default=dict)
    leads = models.ManyToManyField(Lead, related_name="fraud_cases", verbose_name=_("leads"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("reviewer's note"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("fraud case")
        verbose_name_plural = _("fraud cases")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(status="open"), name="one_open_case_per_finding"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_detector_display()}"
