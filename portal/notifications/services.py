"""Notify a user: an entry in their in-portal list and, on commit, a localised e-mail.

Titles and bodies are rendered in the recipient's language from templates
``notifications/email/<kind>_subject.txt`` and ``<kind>_body.txt``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification


def _render(kind: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"notifications/email/{kind}_body.txt", context).strip()
    return subject, body


def notify(
    *, user, kind: str, context: dict[str, Any], url: str = "", email: bool = True
) -> Notification:
    """Record a notification now and send its e-mail after the transaction commits."""
    language = user.language or settings.LANGUAGE_CODE
    title, body = _render(kind, {**context, "user": user}, language)
    notification = Notification.objects.create(
        user=user, kind=kind, title=title, body=body, url=url
    )
    if email and user.is_active and user.email:
        from .tasks import notification_email_send

        transaction.on_commit(lambda: notification_email_send.delay(notification.pk))
    return notification


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
