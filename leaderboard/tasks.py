# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.accounts.display import Audience, person_name
from portal.accounts.models import User
from portal.notifications.services import notify

from .contests import contests_close_due
from .models import Shoutout
from .services import (
    board_push,
    boards_rebuild,
    boards_rebuild_if_lost,
    chat_post,
)

log = logging.getLogger(__name__)


@shared_task
def board_push_task(board_id: str) -> None:
    """The trailing push of a coalesced burst."""
    board_push(board_id=board_id)


@shared_task
def boards_rebuild_task(only_if_lost: bool = True) -> int:
    """Every minute: rebuild only when Redis lost the boards; nightly: always."""
    return boards_rebuild_if_lost() if only_if_lost else boards_rebuild()


@shared_task
def contests_close() -> int:
    return contests_close_due()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=6)
def shoutout_to_chat(shoutout_id: int) -> bool:
    """Post to the Slack/Teams incoming webhook, with a timeout; retried with back-off.
    The shout-out itself is already saved: a chat outage never loses it."""
    shout = Shoutout.objects.select_related("author", "about").get(pk=shoutout_id)
    if shout.posted_to_chat or not settings.CHAT_WEBHOOK_URL:
        return False
    # The company's own chat: staff read it, so people appear by their chosen names.
    author = person_name(person=shout.author, audience=Audience.STAFF)
    about = person_name(person=shout.about, audience=Audience.STAFF)
    chat_post(text=f"{author} → {about}: {shout.message}")
    Shoutout.objects.filter(pk=shout.pk).update(posted_to_chat=True)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=6)
def contest_to_chat(text: str) -> None:
    """Post shared contest standings to the chat, retried with back-off."""
    if settings.CHAT_WEBHOOK_URL:
        chat_post(text=text)


@shared_task
def weekly_digest() -> int:
    """Mondays: last week's shout-outs to every active person whose digest is on (by
    default people who refer; each person can switch it on or off)."""
    since = timezone.now() - timedelta(days=7)
    shoutouts = list(
        Shoutout.objects.filter(created_at__gte=since).select_related("author", "about")[:20]
    )
    if not shoutouts:
        return 0
    sent = 0
    for user in User.objects.filter(is_active=True):
        if notify(user=user, kind="weekly_digest", context={"shoutouts": shoutouts}):
            sent += 1
    return sent
