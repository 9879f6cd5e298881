# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent

if TYPE_CHECKING:
    from portal.accounts.models import User


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction that makes the change.
    Locks nothing, publishes nothing."""
    if isinstance(actor, AnonymousUser) or (actor is not None and actor.pk is None):
        actor = None  # the system, a visitor, or nobody yet
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
