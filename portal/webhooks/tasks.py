# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from .services import deliveries_send_due, delivery_attempt


@shared_task
def webhook_deliver(delivery_id: int) -> bool:
    """One attempt of a delivery, if it is due. Safe to run twice (the attempt is claimed)."""
    return delivery_attempt(delivery_id=delivery_id) is not None


@shared_task
def webhooks_send_due() -> int:
    """Beat: retries that are due, and first attempts a lost task left behind."""
    return deliveries_send_due()
