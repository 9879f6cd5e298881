# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.accounts.roles import STAFF_GROUPS, Role
from portal.notifications.services import notify

from .retention import leads_anonymise_expired
from .selectors import stale_leads


@shared_task
def reviewers_remind_stale_leads() -> int:
    """Daily: tell every reviewer how many leads have waited too long. Safe to rerun: it
    only sends a reminder, it changes no lead."""
    waiting = list(stale_leads()[:50])
    if not waiting:
        return 0
    group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
    reviewers = group.user_set.filter(is_active=True) if group else []
    for reviewer in reviewers:
        notify(
            user=reviewer,
            kind="review_reminder",
            context={"leads": waiting, "count": len(waiting)},
            url=reverse("leads_admin:queue"),
        )
    return len(waiting)


@shared_task
def leads_anonymise() -> int:
    return leads_anonymise_expired()
