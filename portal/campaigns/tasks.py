# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task


@shared_task
def campaign_send_deliver(send_id: int, reminder: bool) -> bool:
    """E-mail one ask or its reminder. Safe to run twice (sent once, under a row lock)."""
    from .services import campaign_send_email

    return campaign_send_email(send_id=send_id, reminder=reminder)


@shared_task
def campaigns_run() -> dict[str, int]:
    """Hourly: the "days after won" asks and the reminders that are due. Safe to run twice."""
    from django.utils import timezone

    from .services import campaigns_run_due

    return campaigns_run_due(at=timezone.now())
