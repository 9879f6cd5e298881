# SPDX-License-Identifier: AGPL-3.0-or-later
"""The outbox of domain events, and the record of which handler has handled which event."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something that happened, written in the transaction of the change (the outbox).

    ``aggregate`` names what it happened to ("lead:42"): events of one aggregate are
    handled in the order they were written. ``occurred_at`` is the business time handlers
    use (periods, months, tier windows), whenever they run."""

    name = models.CharField(_("event"), max_length=64)
    aggregate = models.CharField(_("aggregate"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(_("occurred"), default=timezone.now)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    # A worker that claims the event holds it until then; past it, another may take over.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            models.Index(
                fields=["aggregate", "id"],
                condition=Q(handled_at__isnull=True),
                name="event_pending_by_aggregate",
            ),
            models.Index(fields=["id"], condition=Q(handled_at__isnull=True), name="event_pending"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} {self.aggregate}"


class HandlerRun(models.Model):
    """One handler has handled one event. Written in the handler's own transaction, so a
    handler's work and its claim commit together: a second run finds the claim and skips."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs", db_index=False)
    handler = models.CharField(max_length=160)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="one_run_per_handler_event")
        ]

    def __str__(self) -> str:
        return f"{self.handler} ← #{self.event_id}"
