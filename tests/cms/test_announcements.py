# SPDX-License-Identifier: AGPL-3.0-or-later
"""Announcements: written and scheduled by managers, published on time, notifying the
people who may read them once, with a frozen board when asked."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from cms.models import AnnouncementDelivery, AnnouncementPage
from cms.tasks import pages_publish_scheduled_task
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.rewards.models import LedgerEntry
from tests.factories import PartnerUserFactory, UserFactory, submit_lead


def _scheduled(news, **fields):
    page = AnnouncementPage(
        title="Top referrers of October",
        slug="october",
        summary="Well done, everyone",
        go_live_at=timezone.now() + timedelta(hours=2),
        live=False,
        **fields,
    )
    news.add_child(instance=page)
    revision = page.save_revision(approved_go_live_at=page.go_live_at)
    return AnnouncementPage.objects.get(pk=page.pk), revision


def test_a_scheduled_announcement_goes_live_on_time_and_notifies_once(
    client, news, employee, partner_user, django_capture_on_commit_callbacks
):
    page, revision = _scheduled(news)
    assert not page.live
    assert client.get("/news/october/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        pages_publish_scheduled_task()
    page.refresh_from_db()
    assert not page.live  # not yet due
    # Two hours pass: the scheduled time is now in the past.
    past = timezone.now() - timedelta(seconds=1)
    content = revision.content
    content["go_live_at"] = past.isoformat()
    type(revision).objects.filter(pk=revision.pk).update(content=content, approved_go_live_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        pages_publish_scheduled_task()
    page.refresh_from_db()
    assert page.live
    assert client.get("/news/october/").status_code == 200
    notified = set(
        Notification.objects.filter(kind="announcement").values_list("user_id", flat=True)
    )
    assert {employee.pk, partner_user.pk} <= notified
    note = Notification.objects.get(kind="announcement", user=employee)
    assert note.title == "Top referrers of October" and note.url == page.url
    assert not [m for m in mail.outbox if "Top referrers" in m.subject]  # e-mail not asked for

    # Publishing again (a typo fixed) notifies nobody twice.
    page.summary = "Well done, everyone!"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert Notification.objects.filter(kind="announcement", user=employee).count() == 1


def test_an_announcement_for_partners_notifies_only_partners_and_can_email(
    news, employee, partner_user, django_capture_on_commit_callbacks
):
    page = AnnouncementPage(
        title="New partner rewards",
        slug="partner-rewards",
        summary="For partners",
        audience="partners",
        email_participants=True,
    )
    news.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    notified = set(
        Notification.objects.filter(kind="announcement").values_list("user_id", flat=True)
    )
    assert partner_user.pk in notified and employee.pk not in notified
    assert [m.to for m in mail.outbox if m.subject == "New partner rewards"] == [
        [partner_user.email]
    ]
    assert AnnouncementDelivery.objects.get(page=page).recipients == len(notified)


def test_inactive_people_are_not_notified(news, django_capture_on_commit_callbacks):
    gone = UserFactory(is_active=False)
    PartnerUserFactory()
    page = AnnouncementPage(title="Hello", slug="hello", summary="Hi")
    news.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert not Notification.objects.filter(user=gone).exists()
    assert (
        Notification.objects.filter(kind="announcement").count()
        == User.objects.filter(is_active=True).count()
    )


def test_board_snapshot_is_frozen_when_first_published(
    client, news, employee, program, django_capture_on_commit_callbacks
):
    submit_lead(employee, program)  # 10 points this month
    page = AnnouncementPage(
        title="This month so far",
        slug="so-far",
        summary="Leaders",
        snapshot_scope="everyone",
        snapshot_metric="points",
        snapshot_period="month",
        snapshot_previous_period=False,
        snapshot_top_n=5,
    )
    news.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    client.force_login(employee)
    body = client.get("/news/so-far/").content.decode()
    assert employee.public_name in body and ">10<" in body
    submit_lead(employee, program)
    assert (
        sum(LedgerEntry.objects.filter(participant=employee).values_list("amount", flat=True)) == 20
    )
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # republished: the snapshot stays as it was
    body = client.get("/news/so-far/").content.decode()
    assert ">10<" in body and ">20<" not in body


def test_previous_period_snapshot_shows_last_month(news, employee, program):
    lead = submit_lead(employee, program)
    last_month = timezone.localtime().replace(day=1) - timedelta(days=2)
    LedgerEntry.objects.filter(lead=lead).update(created_at=last_month)
    from cms.live import board_snapshot

    snapshot = board_snapshot("everyone.points.month", top_n=5, previous_period=True)
    assert [r["total"] for r in snapshot["rows"]] == [10]
    now = board_snapshot("everyone.points.month", top_n=5, previous_period=False)
    assert now["rows"] == []
