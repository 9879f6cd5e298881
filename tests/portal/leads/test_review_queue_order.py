# SPDX-License-Identifier: AGPL-3.0-or-later
"""The review queue puts new leads first and the longest-waiting first; "waiting too long"
counts from the submission, so starting a review does not hide a lead that waits."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal.leads.models import Lead
from portal.leads.selectors import review_queue, stale_leads
from portal.leads.services import lead_qualify, lead_start_review
from tests.factories import UserFactory, submit_lead


def _aged(lead: Lead, *, days: float, now=None) -> Lead:
    when = (now or timezone.now()) - timedelta(days=days)
    Lead.objects.filter(pk=lead.pk).update(submitted_at=when, status_changed_at=when)
    lead.refresh_from_db()
    return lead


def test_new_leads_come_first_then_reviews_then_qualified_each_oldest_first(reviewer, program):
    old_qualified = _aged(submit_lead(UserFactory(), program), days=50)
    lead_qualify(lead=old_qualified, actor=reviewer)
    # qualified 40 days ago: waiting longer than the lead in review, still after it
    Lead.objects.filter(pk=old_qualified.pk).update(
        status_changed_at=timezone.now() - timedelta(days=40)
    )
    in_review = _aged(submit_lead(UserFactory(), program), days=20)
    lead_start_review(lead=in_review, actor=reviewer)
    newer = _aged(submit_lead(UserFactory(), program), days=1)
    older = _aged(submit_lead(UserFactory(), program), days=2)

    assert [lead.pk for lead in review_queue()] == [
        older.pk,
        newer.pk,
        in_review.pk,
        old_qualified.pk,
    ]


def test_starting_a_review_does_not_reset_the_wait(reviewer, program):
    lead = _aged(submit_lead(UserFactory(), program), days=program.review_reminder_days + 10)
    lead_start_review(lead=lead, actor=reviewer)  # status_changed_at is now

    assert list(stale_leads()) == [lead]
    waiting = review_queue().get(pk=lead.pk).waiting_since
    assert waiting == lead.submitted_at


def test_waiting_too_long_starts_exactly_at_the_threshold(program):
    now = timezone.now()
    days = program.review_reminder_days
    at_edge = _aged(submit_lead(UserFactory(), program), days=days, now=now)
    _aged(submit_lead(UserFactory(), program), days=days - 0.0001, now=now)  # a few seconds short

    assert list(stale_leads(now=now)) == [at_edge]


def test_the_reviewer_dashboard_counts_what_the_queue_shows(client, reviewer, program):
    waited = _aged(submit_lead(UserFactory(), program), days=42)
    lead_start_review(lead=waited, actor=reviewer)
    submit_lead(UserFactory(), program)
    client.force_login(reviewer)

    response = client.get(reverse("dashboards:review"))

    assert response.context["lead_stats"]["stale"] == 1
    assert "1\xa0month, 1\xa0week" in response.content.decode()  # since submission


def test_qualified_leads_wait_from_their_qualification_and_ties_go_by_number(reviewer, program):
    """A qualified lead waits for its deal from when it was qualified, not submitted; two
    leads waiting since the same instant keep the order they came in; a status filter
    shows that status alone."""
    now = timezone.now()
    early = _aged(submit_lead(UserFactory(), program), days=50)
    late = _aged(submit_lead(UserFactory(), program), days=30)
    for lead, qualified_days_ago in ((early, 5), (late, 20)):
        lead_qualify(lead=lead, actor=reviewer)
        Lead.objects.filter(pk=lead.pk).update(
            status_changed_at=now - timedelta(days=qualified_days_ago)
        )
    queue = list(review_queue(status="qualified"))
    assert [lead.pk for lead in queue] == [late.pk, early.pk]
    assert queue[0].waiting_since == now - timedelta(days=20)
    first, second = (submit_lead(UserFactory(), program) for _ in range(2))
    Lead.objects.filter(pk__in=[first.pk, second.pk]).update(submitted_at=now - timedelta(days=3))
    assert [lead.pk for lead in review_queue(status="submitted")] == [first.pk, second.pk]
