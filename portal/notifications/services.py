# SPDX-License-Identifier: AGPL-3.0-or-later
"""Notify a user: an entry in their in-portal list and a localised e-mail via an outbox.

Titles and bodies are rendered in the recipient's language from templates
``notifications/email/<kind>_subject.txt`` and ``<kind>_body.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import User

from .kinds import KINDS, Channel, kind_of
from .models import Notification, NotificationPreference
from .selectors import notification_channels


def _render(kind: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"notifications/email/{kind}_body.txt", context).strip()
    return subject, body


@dataclass(frozen=True)
class Notice:
    """One notification to record (``notify_many``): as ``notify``'s arguments."""

    user: User
    kind: str
    context: dict[str, Any]
    url: str = ""
    email: bool = True


def notify(
    *, user: User, kind: str, context: dict[str, Any], url: str = "", email: bool = True
) -> Notification | None:
    """Record a notification; its e-mail leaves through the outbox after commit.

    The recipient's preference for ``kind`` decides: in the portal and by e-mail, in the
    portal only, or nothing at all (``None`` is returned). With a broker, the beat task
    ``notifications_send`` empties the outbox every few seconds (no broker round trip
    inside the request, nothing lost if the broker is briefly away); inline (embedded
    default, tests) the e-mail goes as soon as the transaction commits. Checks nothing
    (callers decide who is told); locks nothing, publishes nothing."""
    return notify_many(
        notices=[Notice(user=user, kind=kind, context=context, url=url, email=email)]
    )[0]


def notify_many(*, notices: Sequence[Notice]) -> list[Notification | None]:
    """``notify`` for each of ``notices``, in order (a worker's batch): the recipients'
    preferences read in one query and the notifications written in one INSERT. Returns
    what ``notify`` would for each (``None`` where the preference is off). Checks, locks
    and publishes as ``notify``."""
    channels = notification_channels(wanted=[(n.user, n.kind) for n in notices])
    built = [_notification(n, channels[n.user.pk, n.kind]) for n in notices]
    written = Notification.objects.bulk_create([n for n in built if n is not None])
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for notification in written:
            if notification.email_pending:
                _email_after_commit(notification.pk)
    return built


def _notification(notice: Notice, channel: Channel) -> Notification | None:
    """The row ``notify`` writes for ``notice`` reaching its recipient by ``channel``,
    rendered in their language; None when the channel is off. Unsaved."""
    if channel == Channel.OFF:
        return None
    user = notice.user
    language = user.language or settings.LANGUAGE_CODE
    title, body = _render(notice.kind, {**notice.context, "user": user}, language)
    return Notification(
        user=user,
        kind=notice.kind,
        title=title,
        body=body,
        url=notice.url,
        language=language,
        email_pending=bool(
            notice.email and channel == Channel.EMAIL and user.is_active and user.email
        ),
    )


def _email_after_commit(notification_id: int) -> None:
    """Inline (no broker): send the e-mail as soon as the transaction commits."""
    transaction.on_commit(lambda: notification_email_send(notification_id=notification_id))


def notification_email_send(*, notification_id: int) -> bool:
    """Send one pending e-mail. Idempotent: a sent (or claimed) notification is
    skipped. Locks the notification's row while claiming it; publishes nothing."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=notification_id, email_pending=True)
            .first()
        )
        if notification is None:
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
        with translation.override(notification.language or settings.LANGUAGE_CODE):
            body = f"{body}\n\n-- \n" + _("Choose which e-mails you get: %(url)s") % {
                "url": f"{settings.SITE_URL}{reverse('notifications:preferences')}"
            }
        # Sent under the row lock: if sending fails, the row stays pending for the next run.
        send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
        notification.email_pending = False
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_pending", "emailed_at"])
    return True


def notifications_send_pending(*, limit: int = 500) -> int:
    """Send up to ``limit`` pending e-mails, oldest first. Returns how many were
    sent. Each e-mail as ``notification_email_send`` (its own lock); publishes
    nothing."""
    ids = list(
        Notification.objects.filter(email_pending=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_email_send(notification_id=pk) for pk in ids)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids``, when given); returns how
    many changed. One UPDATE, no lock; publishes nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


class PreferenceRefused(ValueError):
    """A preference that cannot be set (a required kind switched off, an unknown kind)."""


def notification_preferences_set(*, user: User, choices: dict[str, str]) -> int:
    """Save ``user``'s delivery choice per kind (``Channel`` values). Refuses an unknown
    kind or channel, and "off" for a required kind, before anything is written. A choice
    equal to the kind's default is stored too, so a later change of defaults keeps what
    the person chose. Returns how many preferences changed."""
    for code, channel in choices.items():
        if code not in KINDS or channel not in Channel.values:
            raise PreferenceRefused(_("Unknown notification setting."))
        if channel == Channel.OFF and kind_of(code).required:
            raise PreferenceRefused(
                _("“%(kind)s” cannot be switched off.") % {"kind": kind_of(code).label}
            )
    changed = 0
    with transaction.atomic():
        current = dict(
            NotificationPreference.objects.select_for_update()
            .filter(user=user)
            .values_list("kind", "channel")
        )
        for code, channel in choices.items():
            if current.get(code, kind_of(code).default_for(user)) == channel and code in current:
                continue
            NotificationPreference.objects.update_or_create(
                user=user, kind=code, defaults={"channel": channel}
            )
            changed += 1
    return changed
