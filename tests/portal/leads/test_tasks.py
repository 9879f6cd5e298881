# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.db.models import Count
from django.utils import timezone

from portal.leads.models import Lead, LeadStatus
from portal.leads.retention import leads_anonymise_expired
from portal.leads.services import lead_mark_lost, lead_start_review
from portal.leads.tasks import leads_anonymise, reviewers_remind_stale_leads
from portal.notifications.models import Notification
from tests.factories import UserFactory, submit_lead


def test_reviewers_are_reminded_of_leads_waiting_too_long(
    reviewer, program, django_capture_on_commit_callbacks
):
    stale = submit_lead(UserFactory(), program)
    Lead.objects.filter(pk=stale.pk).update(
        submitted_at=timezone.now() - timedelta(days=program.review_reminder_days + 1)
    )
    submit_lead(UserFactory(), program)  # fresh: no reminder for it
    with django_capture_on_commit_callbacks(execute=True):
        assert reviewers_remind_stale_leads() == 1
    reminder = Notification.objects.get(user=reviewer, kind="review_reminder")
    assert "1 lead is waiting for review" in reminder.title
    assert f"#{stale.pk}" in reminder.body
    assert mail.outbox[-1].to == [reviewer.email]


def test_no_reminder_when_nothing_waits(reviewer, program):
    submit_lead(UserFactory(), program)
    assert reviewers_remind_stale_leads() == 0
    assert not Notification.objects.filter(kind="review_reminder").exists()


def test_anonymisation_erases_contact_data_but_keeps_the_counts(settings, reviewer, program):
    settings.LEAD_RETENTION_DAYS = 30
    old_lost = submit_lead(
        UserFactory(), program, name="Old Lost", email="old@lost.example", phone="+358401234567"
    )
    lead_start_review(lead=old_lost, actor=reviewer)
    lead_mark_lost(lead=old_lost, actor=reviewer, reason="No budget")
    recent_lost = submit_lead(UserFactory(), program)
    lead_start_review(lead=recent_lost, actor=reviewer)
    lead_mark_lost(lead=recent_lost, actor=reviewer, reason="No budget")
    open_old = submit_lead(UserFactory(), program)
    long_ago = timezone.now() - timedelta(days=31)
    Lead.objects.filter(pk__in=[old_lost.pk, open_old.pk]).update(status_changed_at=long_ago)
    before = dict(Lead.objects.values_list("status").annotate(n=Count("pk")))

    assert leads_anonymise() == 1
    assert leads_anonymise_expired() == 0  # idempotent
    old_lost.refresh_from_db()
    assert (old_lost.name, old_lost.email, old_lost.phone, old_lost.email_normalised) == (
        "—",
        "",
        "",
        "",
    )
    assert old_lost.anonymised_at is not None and old_lost.status == LeadStatus.LOST
    assert dict(Lead.objects.values_list("status").annotate(n=Count("pk"))) == before
    recent_lost.refresh_from_db()
    open_old.refresh_from_db()
    assert recent_lost.email and open_old.email  # too recent, or still open
