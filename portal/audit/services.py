from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
