# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from .services import notifications_send_pending


@shared_task
def notifications_send() -> int:
    """Beat, every few seconds: send the outbox. Safe to run twice at once (row locks)."""
    return notifications_send_pending()
