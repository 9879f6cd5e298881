# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.core.sql import pk_or_pending

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
    event = audit_event_build(
        actor=actor,
        action=action,
        target=target,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )
    event.save(force_insert=True)
    return event


def audit_event_build(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit event ``audit_record`` writes, unsaved. ``target`` may be a new row not
    written yet: write the event with it in one statement (``portal.core.sql.rows_insert``).
    Reads the (cached) content type; writes nothing."""
    if isinstance(actor, AnonymousUser) or (actor is not None and actor.pk is None):
        actor = None  # the system, a visitor, or nobody yet
    return AuditEvent(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=pk_or_pending(target, prefix=""),
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
