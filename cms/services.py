# SPDX-License-Identifier: AGPL-3.0-or-later
"""What happens when content is published: announcements notify, snapshots freeze,
a new agreement version asks partners again, caches of audiences are refreshed."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from . import live
from .agreements import agreement_published
from .audience import audience_members
from .cache import content_changed
from .i18n import original_of, page_for_reader, translations_by_language
from .models import AgreementPage, AnnouncementDelivery, AnnouncementIndexPage, AnnouncementPage


def page_published(*, page: Page) -> None:
    """Called for every page that goes live (from the editor or the scheduler).
    Queues the announcement and agreement work on commit; locks nothing, publishes
    nothing."""
    content_changed()
    page = page.specific
    if isinstance(page, AnnouncementPage):
        # One announcement in several languages is announced once: by its original.
        page = original_of(page)
        announcement_snapshot_take(page=page)
        transaction.on_commit(lambda: _enqueue_announcement(page.pk))
    elif isinstance(page, AgreementPage):
        transaction.on_commit(lambda: _enqueue_agreement(page.pk))
    elif isinstance(page, AnnouncementIndexPage):
        announcement_sections_grant()


def _enqueue_announcement(page_id: int) -> None:
    from .tasks import announcement_notify_task

    announcement_notify_task.delay(page_id)


def _enqueue_agreement(page_id: int) -> None:
    from .tasks import agreement_announce_task

    agreement_announce_task.delay(page_id)


def announcement_snapshot_take(*, page: AnnouncementPage) -> bool:
    """Freeze the chosen board once, the first time the announcement goes live. Once:
    a conditional UPDATE claims it; locks nothing, publishes nothing."""
    delivery, _created = AnnouncementDelivery.objects.get_or_create(page_id=page.pk)
    if not page.snapshot_board_id or delivery.snapshot:
        return False
    snapshot = live.board_snapshot(
        page.snapshot_board_id,
        top_n=page.snapshot_top_n,
        previous_period=page.snapshot_previous_period,
    )
    return bool(
        AnnouncementDelivery.objects.filter(page_id=page.pk, snapshot={}).update(snapshot=snapshot)
    )


def announcement_notify(*, page_id: int) -> int:
    """Notify everyone who may read a published announcement, once. Returns how many.
    Once: a conditional UPDATE of the page's delivery record claims it; locks nothing,
    publishes nothing."""
    from portal.notifications.services import notify

    page = AnnouncementPage.objects.live().filter(pk=page_id).first()
    if page is None:
        return 0
    with transaction.atomic():
        AnnouncementDelivery.objects.get_or_create(page_id=page.pk)
        claimed = AnnouncementDelivery.objects.filter(
            page_id=page.pk, notified_at__isnull=True
        ).update(notified_at=timezone.now())
        if not claimed:
            return 0
        count = 0
        translations = translations_by_language(page)
        for user in audience_members(page).iterator():
            shown = page_for_reader(translations, page, user)  # in the reader's language
            notify(
                user=user,
                kind="announcement",
                context={"title": shown.title, "summary": shown.summary},
                url=shown.url or "",
                email=page.email_participants,
            )
            count += 1
        AnnouncementDelivery.objects.filter(page_id=page.pk).update(recipients=count)
    return count


def agreement_announce(*, page_id: int) -> int:
    """Task body: ask partners to accept the live agreement page ``page_id`` (0 when it is
    no longer live). See ``agreement_published``. Locks nothing, publishes nothing."""
    page = AgreementPage.objects.live().filter(pk=page_id).first()
    return agreement_published(page=page) if page else 0


def announcement_sections_grant() -> None:
    """Managers write and publish announcements, and nothing else in the page tree.
    Idempotent (get or create); locks nothing, publishes nothing."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from portal.accounts.roles import STAFF_GROUPS, Role

    group = Group.objects.filter(name=STAFF_GROUPS[Role.MANAGER]).first()
    if group is None:
        return
    perms = Permission.objects.filter(
        content_type__app_label="wagtailcore",
        codename__in=["add_page", "change_page", "publish_page"],
    )
    for section in AnnouncementIndexPage.objects.all():
        for perm in perms:
            GroupPagePermission.objects.get_or_create(group=group, page=section, permission=perm)


def pages_publish_scheduled() -> None:
    """Publish pages whose go-live time has come (and unpublish expired ones).
    Wagtail's ``publish_scheduled`` command; publishes no domain event."""
    call_command("publish_scheduled", verbosity=0)
