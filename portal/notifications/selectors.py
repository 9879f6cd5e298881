# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import User

from .models import Notification


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications (newest first, the model's order). Read only."""
    return Notification.objects.filter(user=user)


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (one COUNT)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
