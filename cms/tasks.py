# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def announcement_notify_task(page_id: int) -> int:
    return services.announcement_notify(page_id=page_id)


@shared_task(acks_late=True)
def agreement_announce_task(page_id: int) -> int:
    return services.agreement_announce(page_id=page_id)


@shared_task
def pages_publish_scheduled_task() -> None:
    services.pages_publish_scheduled()
