# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import partner_health_digest_send


@shared_task
def partner_health_digest() -> int:
    """Mondays: reviewers hear which partners went quiet or halved their leads."""
    return partner_health_digest_send(on=timezone.localdate())
