# SPDX-License-Identifier: AGPL-3.0-or-later
"""Webhook endpoints: reviewers register, edit and re-key the URLs that receive events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record

from .models import WebhookEndpoint, WebhookEvent
from .services import require_reviewer, secret_new


def _clean_endpoint(*, name: str, url: str, events: list[str]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the endpoint a name.")]
    url = (url or "").strip()
    schemes = ["https", "http"] if settings.WEBHOOK_ALLOW_HTTP else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        errors["url"] = [
            _("Enter an https:// URL.")
            if not settings.WEBHOOK_ALLOW_HTTP
            else _("Enter an http:// or https:// URL.")
        ]
    events = sorted(set(events or []))
    if not events or not set(events) <= set(WebhookEvent.values):
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "url": url, "events": events}


def endpoint_create(
    *, actor: User, name: str, url: str, events: list[str], include_contact_data: bool = False
) -> tuple[WebhookEndpoint, str]:
    """A reviewer registers an endpoint (name, http(s) URL, known events checked).
    Returns it and its signing secret (shown once). Audits it; locks nothing.
    Publishes nothing."""
    require_reviewer(actor=actor)
    fields = _clean_endpoint(name=name, url=url, events=events)
    secret = secret_new()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            **fields, secret=secret, include_contact_data=include_contact_data, created_by=actor
        )
        audit_record(
            actor=actor,
            action="webhook.endpoint_created",
            target=endpoint,
            to_state="active",
            data={**fields, "include_contact_data": include_contact_data},
        )
    return endpoint, secret


def endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    events: list[str],
    is_active: bool,
    include_contact_data: bool,
) -> WebhookEndpoint:
    """A reviewer edits an endpoint (checked as on creation). Switching it back on
    starts a fresh run of failures. Locks the endpoint's row; audits a change.
    Publishes nothing."""
    require_reviewer(actor=actor)
    fields = _clean_endpoint(name=name, url=url, events=events)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = {
            "name": locked.name,
            "url": locked.url,
            "events": locked.events,
            "is_active": locked.is_active,
            "include_contact_data": locked.include_contact_data,
        }
        after = {**fields, "is_active": is_active, "include_contact_data": include_contact_data}
        if before == after:
            return locked
        for key, value in after.items():
            setattr(locked, key, value)
        if is_active and not before["is_active"]:
            locked.consecutive_failures, locked.disabled_reason = 0, ""
        locked.save()
        audit_record(
            actor=actor,
            action="webhook.endpoint_changed",
            target=locked,
            from_state="active" if before["is_active"] else "disabled",
            to_state="active" if is_active else "disabled",
            data={k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v},
        )
    return locked


def endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """A reviewer replaces an endpoint's signing secret; returns the new one (shown
    once). Audits it; locks nothing (one UPDATE). Publishes nothing."""
    require_reviewer(actor=actor)
    secret = secret_new()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
        audit_record(actor=actor, action="webhook.secret_rotated", target=endpoint)
    return secret
