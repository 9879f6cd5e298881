# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(*, target: models.Model) -> QuerySet[AuditEvent]:
    """The audit records about ``target``, with their actors (the model's order)."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
