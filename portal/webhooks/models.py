# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound webhooks (endpoints, deliveries, attempts) and inbound CRM callbacks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.crypto import EncryptedTextField


class WebhookEvent(models.TextChoices):
    LEAD_CREATED = "lead.created", _("A lead was submitted")
    LEAD_STATUS_CHANGED = "lead.status_changed", _("A lead's status changed")
    COMMISSION_APPROVED = "commission.approved", _("A commission was approved")
    PAYOUT_PAID = "payout.paid", _("A payout batch was paid")
    TIER_CHANGED = "tier.changed", _("A participant's tier changed")


class WebhookEndpoint(models.Model):
    """A URL that receives signed events. Endpoints are switched off, never deleted, so
    their delivery log stays."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), editable=False)  # at rest: Fernet
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    include_contact_data = models.BooleanField(
        _("include lead contact data"),
        default=False,
        help_text=_("Lead events then carry the prospect's name, e-mail, phone and company."),
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled (endpoint off)")


class WebhookDelivery(models.Model):
    """One event for one endpoint. Written in the transaction of the change it reports
    (an outbox): a rollback leaves no delivery, a commit always leaves one to send."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"))
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"


class CrmIntegration(models.Model):
    """A CRM that calls back to mark leads won or lost, or to reverse a won deal. Its
    callbacks act as ``acting_user``, a reviewer, through the lead services."""

    name = models.CharField(_("name"), max_length=100)
    source = models.SlugField(
        _("source"),
        max_length=50,
        unique=True,
        help_text=_("Part of the callback URL: /api/v1/crm/<source>/callbacks/"),
    )
    secret = EncryptedTextField(_("signing secret"), editable=False)  # at rest: Fernet
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acts as"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CRM integration")
        verbose_name_plural = _("CRM integrations")

    def __str__(self) -> str:
        return self.name


class CrmCallback(models.Model):
    """A processed callback. The unique (integration, external id) makes a repeat return
    the stored result instead of acting twice."""

    integration = models.ForeignKey(
        CrmIntegration, on_delete=models.PROTECT, related_name="callbacks"
    )
    external_id = models.CharField(max_length=200)
    action = models.CharField(max_length=16)
    lead = models.ForeignKey(
        "leads.Lead", null=True, on_delete=models.PROTECT, related_name="crm_callbacks"
    )
    payload = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="one_callback_per_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration.source}:{self.external_id}"
