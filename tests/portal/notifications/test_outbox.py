# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.core import mail

from portal.notifications.models import Notification
from portal.notifications.services import notifications_send_pending, notify
from portal.notifications.tasks import notifications_send


def _notify(user, settings, *, eager: bool):
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    return notify(
        user=user, kind="review_reminder", context={"leads": [], "count": 2}, url="/admin/leads/"
    )


def test_with_a_broker_emails_wait_in_the_outbox_until_the_beat_task(
    employee, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(employee, settings, eager=False)
    assert mail.outbox == []
    assert Notification.objects.get(pk=notification.pk).email_pending
    assert notifications_send() == 1
    assert mail.outbox[0].to == [employee.email]
    assert "2 leads are waiting for review" in mail.outbox[0].subject
    assert "/admin/leads/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert not notification.email_pending and notification.emailed_at


def test_sending_twice_sends_once(employee, settings):
    _notify(employee, settings, eager=False)
    assert notifications_send_pending() == 1
    assert notifications_send_pending() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_keeps_the_email_for_the_next_run(employee, settings):
    _notify(employee, settings, eager=False)
    settings.EMAIL_BACKEND = "tests.portal.notifications.test_outbox.BrokenBackend"
    with pytest.raises(OSError):
        notifications_send_pending()
    assert Notification.objects.get().email_pending
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_pending() == 1


def test_inline_mode_sends_on_commit(employee, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(employee, settings, eager=True)
    assert len(mail.outbox) == 1
    assert not Notification.objects.get().email_pending


def test_inactive_users_get_no_email(employee, settings):
    employee.is_active = False
    employee.save()
    _notify(employee, settings, eager=False)
    assert notifications_send_pending() == 0
    assert Notification.objects.get().email_pending is False


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")
