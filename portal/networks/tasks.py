# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from .services import reciprocity_remind


@shared_task
def reciprocity_remind_task() -> int:
    """Daily: remind the lagging side of each reciprocal partnership. Safe to run twice
    (one reminder per partner, period and side)."""
    return reciprocity_remind()
