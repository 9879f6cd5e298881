# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound webhooks: endpoints, the outbox of deliveries, signed sending with retries,
replays and switching off endpoints that keep failing (CRM callbacks: ``crm.py``).

``event_emit`` is called by this app's event handlers (``handlers.py``, subscribed to the
domain events), in the handler's transaction: it writes one delivery row per subscribed
endpoint, and the sending starts after commit. A rollback leaves nothing to send; a
commit always leaves a row, so an event survives a broker that is briefly away (the beat
task sends what is due).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import STAFF_GROUPS, Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.notifications.services import notify

from .models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .outbound import post_checked
from .payloads import CONTACT, PAYLOADS
from .signing import HEADER, signature_header

log = logging.getLogger(__name__)
MAX_RETRY_DELAY = timedelta(hours=6)
USER_AGENT = "Vouch-Webhooks/1"


def secret_new() -> str:
    """A fresh signing secret for an endpoint or a CRM integration. Pure."""
    return "whsec_" + secrets.token_urlsafe(32)


def require_reviewer(*, actor: User) -> None:
    """Refuse (PermissionDenied) anyone but a reviewer. Locks nothing."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers manage webhooks and integrations."))


def _dump(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


# --- Emitting ---------------------------------------------------------------------------


def event_emit(*, event: str, obj: Model, **extra: Any) -> list[int]:
    """Queue ``event`` about ``obj`` for every active endpoint subscribed to it. Call
    inside a transaction; sending starts after it commits. Locks nothing. Publishes
    nothing (it is what a handler calls)."""
    return events_emit(event=event, objs=[obj], **extra)


def events_emit(*, event: str, objs: Sequence[Model], **extra: Any) -> list[int]:
    """``event_emit`` for each of ``objs``, in order (a worker's batch): the subscribed
    endpoints read once, every delivery written in one INSERT, in the order one call per
    object would write them. Returns the deliveries' ids. Call inside a transaction;
    locks and publishes as ``event_emit``."""
    if not objs:
        return []
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).only(
            "pk", "events", "include_contact_data"
        )
        if event in e.events
    ]
    if not endpoints:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [d for obj in objs for d in _deliveries(event, obj, endpoints, extra)]
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_enqueue(ids=ids), robust=True)
    return ids


def _deliveries(
    event: str, obj: Model, endpoints: list[WebhookEndpoint], extra: dict[str, Any]
) -> list[WebhookDelivery]:
    """One envelope about ``obj`` (its own id and time), a delivery of it per endpoint,
    with the contact data for the endpoints that ask for it. Unsaved."""
    now = timezone.now()
    envelope: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": event,
        "created_at": now,
        "data": PAYLOADS[event](obj, **extra),
    }
    bodies = {False: _dump(envelope)}
    if event in CONTACT:
        envelope["data"]["contact"] = CONTACT[event](obj)
        bodies[True] = _dump(envelope)
    return [
        WebhookDelivery(
            endpoint=e,
            event=event,
            event_id=envelope["id"],
            body=bodies[e.include_contact_data and event in CONTACT],
            next_attempt_at=now,
            created_at=now,
        )
        for e in endpoints
    ]


def deliveries_enqueue(*, ids: list[int], countdown: int = 0) -> None:
    """Queue a send task per delivery, after ``countdown`` seconds. Locks nothing.
    Publishes nothing."""
    from .tasks import webhook_deliver

    for pk in ids:
        if countdown:
            webhook_deliver.apply_async(args=(pk,), countdown=countdown)
        else:
            webhook_deliver.delay(pk)


# --- Sending ------------------------------------------------------------------------------


def http_post(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str]:
    """POST and return (status code, error text). Never raises for network trouble.
    Private, loopback and link-local addresses are refused after resolving, on every
    attempt, and the connection goes to the address checked (``outbound.py``)."""
    return post_checked(url, body, headers, timeout)


def retry_delay(*, failed_attempts: int) -> timedelta:
    """1, 2, 4, 8 … × WEBHOOK_RETRY_BASE_SECONDS, at most six hours. Pure."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, failed_attempts - 1)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make the next attempt of a due delivery. Safe to call twice at once: a claim (one
    UPDATE) lets only one caller send, and the HTTP request runs outside any
    transaction. Locks nothing (the claim is a conditional UPDATE); publishes
    nothing; may disable the endpoint and notify reviewers after too many failures."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = (
            DeliveryStatus.CANCELLED,
            now,
            None,
        )
        delivery.save(update_fields=["status", "finished_at", "next_attempt_at"])
        return delivery

    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER: signature_header(endpoint.secret, body),
        "Vouch-Event": delivery.event,
        "Vouch-Delivery": str(delivery.delivery_id),
    }
    started = time.monotonic()
    status_code, error = http_post(
        url=endpoint.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    latency_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    number = delivery.attempt_count + 1
    retry_in = None
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=now,
            status_code=status_code,
            latency_ms=latency_ms,
            error="" if succeeded else error or f"HTTP {status_code}",
            succeeded=succeeded,
        )
        delivery.attempt_count = number
        delivery.last_status_code = status_code
        delivery.last_error = "" if succeeded else error or f"HTTP {status_code}"
        if succeeded:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED,
                timezone.now(),
                None,
            )
        elif number >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.FAILED,
                timezone.now(),
                None,
            )
        else:
            retry_in = retry_delay(failed_attempts=number)
            delivery.next_attempt_at = now + retry_in
        delivery.save(
            update_fields=[
                "attempt_count",
                "last_status_code",
                "last_error",
                "status",
                "finished_at",
                "next_attempt_at",
            ]
        )
        if delivery.status != DeliveryStatus.PENDING:
            _endpoint_count(endpoint, delivery)
    if retry_in is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        # With a worker, wake up on time; the beat task catches whatever this misses.
        try:
            deliveries_enqueue(ids=[delivery.pk], countdown=int(retry_in.total_seconds()))
        except Exception:
            log.warning("could not schedule webhook retry %s", delivery.pk, exc_info=True)
    return delivery


def _endpoint_count(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    """A finished delivery moves the endpoint's run of failures. Inside a transaction."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if delivery.status == DeliveryStatus.SUCCEEDED:
        if locked.consecutive_failures:
            locked.consecutive_failures = 0
            locked.save(update_fields=["consecutive_failures"])
        return
    locked.consecutive_failures += 1
    locked.save(update_fields=["consecutive_failures"])
    if locked.is_active and locked.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        _endpoint_disable(
            locked,
            _("%(n)s deliveries in a row failed; the last: %(error)s")
            % {"n": locked.consecutive_failures, "error": delivery.last_error},
        )


def _endpoint_disable(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.is_active, endpoint.disabled_reason = False, reason[:300]
    endpoint.save(update_fields=["is_active", "disabled_reason"])
    cancelled = WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.CANCELLED, finished_at=timezone.now(), next_attempt_at=None)
    audit_record(
        actor=None,
        action="webhook.endpoint_disabled",
        target=endpoint,
        from_state="active",
        to_state="disabled",
        note=reason,
        data={"cancelled_deliveries": cancelled},
    )
    group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
    reviewers = group.user_set.filter(is_active=True) if group else []
    url = reverse("webhooks_admin:endpoint", args=[endpoint.pk])
    for reviewer in reviewers:
        notify(
            user=reviewer,
            kind="webhook_disabled",
            context={"endpoint": endpoint, "reason": reason},
            url=url,
        )


def deliveries_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: send every delivery whose attempt is due (first attempts a lost task left
    behind, and retries). Returns how many attempts were made. Each as
    ``delivery_attempt`` (a claim, no lock); publishes nothing."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(delivery_attempt(delivery_id=pk, now=now) is not None for pk in due)


def delivery_replay(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """A reviewer sends a delivery's event again, as a new delivery (new id, new
    signature), queued on commit. Audits it; locks nothing. Checks the role;
    publishes nothing."""
    require_reviewer(actor=actor)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise ValidationError(_("Switch the endpoint on before replaying its deliveries."))
    envelope = json.loads(delivery.body)
    if not endpoint.include_contact_data:
        envelope.get("data", {}).pop("contact", None)
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=delivery.event,
            event_id=delivery.event_id,
            body=_dump(envelope),
            next_attempt_at=timezone.now(),
            replay_of=delivery,
        )
        audit_record(
            actor=actor,
            action="webhook.delivery_replayed",
            target=replay,
            to_state=replay.status,
            data={"replay_of": str(delivery.delivery_id), "endpoint": endpoint.pk},
        )
        transaction.on_commit(lambda: deliveries_enqueue(ids=[replay.pk]), robust=True)
    return replay
