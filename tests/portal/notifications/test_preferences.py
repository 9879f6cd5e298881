# SPDX-License-Identifier: AGPL-3.0-or-later
"""A person chooses per kind how news reaches them; the inbox is grouped by kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from leaderboard.models import Shoutout
from leaderboard.tasks import weekly_digest
from portal.notifications.kinds import KINDS, Channel
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import (
    PreferenceRefused,
    notification_preferences_set,
    notify,
)


class Thing:
    """Stands in for any object a kind's template reads (a lead, a batch, a badge...)."""

    pk = 7
    do_not_call_in_templates = True

    def __getattr__(self, name):
        if name.endswith("_count"):
            return 3
        if name in ("amount", "total", "value", "points"):
            return Decimal("12.50")
        if name == "currency":
            return "EUR"
        return self

    def __str__(self):
        return "Acme Oy"

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


NAMES = (
    "lead",
    "batch",
    "line",
    "badge",
    "tier",
    "milestone",
    "goal",
    "raffle",
    "redemption",
    "contest",
    "winner",
    "endpoint",
    "reason",
    "note",
)
CONTEXT = {"count": 2, "leads": [], "version": 2, "title": "Spring news", "shoutouts": []} | {
    name: Thing() for name in NAMES
}


def _send(user, kind):
    return notify(user=user, kind=kind, context=CONTEXT, url="/somewhere/")


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("channel", list(Channel))
def test_each_kind_follows_the_chosen_channel(employee, kind, channel):
    spec = KINDS[kind]
    if spec.required and channel == Channel.OFF:
        with pytest.raises(PreferenceRefused):
            notification_preferences_set(user=employee, choices={kind: channel})
        assert not NotificationPreference.objects.exists()
        _send(employee, kind)  # a required kind still reaches the inbox
        assert Notification.objects.filter(user=employee, kind=kind).count() == 1
        return
    notification_preferences_set(user=employee, choices={kind: channel})
    _send(employee, kind)
    rows = Notification.objects.filter(user=employee, kind=kind)
    assert rows.count() == (0 if channel == Channel.OFF else 1)
    assert len(mail.outbox) == (1 if channel == Channel.EMAIL else 0)


def test_choosing_for_one_kind_leaves_the_others_at_their_default(employee):
    notification_preferences_set(user=employee, choices={"lead_status": Channel.OFF})
    _send(employee, "lead_status")
    _send(employee, "tier_up")
    assert list(Notification.objects.values_list("kind", flat=True)) == ["tier_up"]
    assert len(mail.outbox) == 1


def test_an_unknown_kind_or_channel_is_refused_and_nothing_saved(employee):
    with pytest.raises(PreferenceRefused):
        notification_preferences_set(
            user=employee, choices={"lead_status": Channel.OFF, "nonsense": Channel.OFF}
        )
    with pytest.raises(PreferenceRefused):
        notification_preferences_set(user=employee, choices={"lead_status": "pigeon"})
    assert not NotificationPreference.objects.exists()


def test_the_email_says_where_to_choose(employee):
    _send(employee, "lead_status")
    assert reverse("notifications:preferences") in mail.outbox[0].body


def _shoutout(author, about):
    return Shoutout.objects.create(author=author, about=about, message="Great referral!")


def test_the_digest_goes_to_people_who_refer_by_default(
    employee, partner_user, reviewer, finance, manager
):
    _shoutout(manager, employee)
    assert weekly_digest() == 3  # employee, partner, manager
    got = set(Notification.objects.filter(kind="weekly_digest").values_list("user", flat=True))
    assert got == {employee.pk, partner_user.pk, manager.pk}
    assert {m.to[0] for m in mail.outbox} == {employee.email, partner_user.email, manager.email}


def test_the_digest_follows_each_persons_choice(employee, partner_user, finance):
    _shoutout(employee, partner_user)
    notification_preferences_set(user=employee, choices={"weekly_digest": Channel.OFF})
    notification_preferences_set(user=finance, choices={"weekly_digest": Channel.EMAIL})
    notification_preferences_set(user=partner_user, choices={"weekly_digest": Channel.PORTAL})
    assert weekly_digest() == 2
    assert {m.to[0] for m in mail.outbox} == {finance.email}
    assert Notification.objects.filter(user=partner_user, kind="weekly_digest").exists()
    assert not Notification.objects.filter(user=employee).exists()


def test_the_settings_page_saves_the_readers_own_choices_only(client, employee, partner_user):
    client.force_login(employee)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "review_reminder" not in page.content.decode()  # offered to reviewers only
    answer = client.post(
        reverse("notifications:preferences"),
        {code: "off" for code in ("lead_status", "tier_up", "badge")}
        | {
            "lead_submitted": "portal",
            "outbound_status": "email",
            "referral_ask": "email",
            "milestone": "email",
            "goal_reached": "email",
            "redemption_status": "email",
            "raffle_won": "email",
            "commission_paid": "email",
            "contest_won": "email",
            "weekly_digest": "off",
            "announcement": "portal",
        },
    )
    assert answer.status_code == 302
    mine = dict(NotificationPreference.objects.filter(user=employee).values_list("kind", "channel"))
    assert mine["lead_status"] == "off" and mine["announcement"] == "portal"
    assert not NotificationPreference.objects.filter(user=partner_user).exists()


def test_a_required_kind_cannot_be_switched_off_from_the_page(client, partner_user):
    client.force_login(partner_user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="agreement_new_version" value="off"' not in page
    answer = client.post(reverse("notifications:preferences"), {"agreement_new_version": "off"})
    assert answer.status_code == 200  # the form shows the error
    assert not NotificationPreference.objects.filter(kind="agreement_new_version").exists()


def test_visitors_are_sent_to_log_in(client):
    answer = client.get(reverse("notifications:preferences"))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_inbox_groups_news_by_kind_and_is_not_a_copy_of_the_email(client, employee):
    _send(employee, "lead_status")
    _send(employee, "lead_submitted")
    _send(employee, "tier_up")
    client.force_login(employee)
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index('id="group-referrals"') < page.index('id="group-rewards"')
    body = Notification.objects.filter(kind="lead_status").first().body
    first_line = body.splitlines()[0]
    assert first_line and first_line not in page  # the e-mail's greeting stays in the e-mail
    only = client.get(reverse("notifications:list") + "?group=rewards").content.decode()
    titles = dict(Notification.objects.values_list("kind", "title"))
    assert titles["tier_up"] in only and titles["lead_status"] not in only


def test_many_notices_follow_each_recipients_choice_with_one_read_and_one_write(
    employee, partner_user, settings, django_assert_num_queries
):
    """``notify_many`` answers as ``notify`` would for each notice, in order (None where
    the recipient switched the kind off), reading the preferences once and writing once;
    nothing to tell costs nothing."""
    from portal.notifications.services import Notice, notify_many

    settings.CELERY_TASK_ALWAYS_EAGER = False  # the e-mails wait in the outbox
    employee.language = "fi"
    employee.save(update_fields=["language"])
    notification_preferences_set(user=partner_user, choices={"lead_submitted": "off"})
    notification_preferences_set(user=employee, choices={"badge": "email"})
    notices = [
        Notice(user=employee, kind="lead_submitted", context={"lead": None}, url="/a/"),
        Notice(user=partner_user, kind="lead_submitted", context={"lead": None}, url="/b/"),
        Notice(user=employee, kind="badge", context={"badge": None}, email=False),
        Notice(user=partner_user, kind="badge", context={"badge": None}),
    ]
    with django_assert_num_queries(2):
        made = notify_many(notices=notices)
    assert made[1] is None
    assert [(n.user, n.kind, n.url, n.language, n.email_pending) for n in made if n] == [
        (employee, "lead_submitted", "/a/", "fi", True),
        (employee, "badge", "", "fi", False),  # no e-mail asked for
        (partner_user, "badge", "", partner_user.language or settings.LANGUAGE_CODE, False),
    ]
    assert list(Notification.objects.order_by("pk")) == [n for n in made if n]
    with django_assert_num_queries(0):
        assert notify_many(notices=[]) == []
