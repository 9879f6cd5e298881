# SPDX-License-Identifier: AGPL-3.0-or-later
"""Personal goals: set by the participant or their manager, progress on the dashboard,
and the goal-reached notice once per period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.leads import services as leads
from portal.notifications.models import Notification
from portal.rewards.goals import goal_set, goals_progress, period_window
from portal.rewards.models import GoalReached, PersonalGoal
from tests.factories import UserFactory, submit_lead


def test_period_windows_month_and_quarter(settings):
    start, end, key = period_window(period="month", day=date(2026, 12, 31))
    assert key == "2026-12" and end.date() == date(2027, 1, 1)
    start, end, key = period_window(period="quarter", day=date(2026, 11, 30))
    assert (key, start.date(), end.date()) == ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1))
    assert start.tzinfo is not None


def test_progress_counts_this_months_referrals(employee, program):
    goal_set(actor=employee, participant=employee, metric="referrals", period="month", target=3)
    submit_lead(employee, program)
    submit_lead(employee, program)
    [row] = goals_progress(participant=employee)
    assert (row["count"], row["percent"], row["reached"]) == (2, 66, False)


def test_goal_reached_notice_goes_out_once(employee, program):
    goal_set(actor=employee, participant=employee, metric="referrals", period="month", target=2)
    submit_lead(employee, program)
    assert not Notification.objects.filter(user=employee, kind="goal_reached").exists()
    submit_lead(employee, program)  # the second: reached
    assert Notification.objects.filter(user=employee, kind="goal_reached").count() == 1
    submit_lead(employee, program)  # a third in the same month: no second notice
    assert Notification.objects.filter(user=employee, kind="goal_reached").count() == 1
    assert GoalReached.objects.get().period_key == timezone.localtime().strftime("%Y-%m")


def test_qualified_per_quarter_counts_qualifications(employee, reviewer, program):
    goal_set(actor=employee, participant=employee, metric="qualified", period="quarter", target=1)
    lead = submit_lead(employee, program)
    [row] = goals_progress(participant=employee)
    assert row["count"] == 0
    leads.lead_qualify(lead=lead, actor=reviewer)
    [row] = goals_progress(participant=employee)
    assert row["count"] == 1 and row["reached"]
    assert Notification.objects.filter(user=employee, kind="goal_reached").count() == 1


def test_last_months_referrals_do_not_count(employee, program):
    goal_set(actor=employee, participant=employee, metric="referrals", period="month", target=1)
    lead = submit_lead(employee, program)
    start, _end, _key = period_window(period="month", day=timezone.localdate())
    lead.submitted_at = start - timedelta(seconds=1)
    lead.save(update_fields=["submitted_at"])
    assert goals_progress(participant=employee)[0]["count"] == 0
    lead.submitted_at = start
    lead.save(update_fields=["submitted_at"])
    assert goals_progress(participant=employee)[0]["count"] == 1


def test_manager_sets_a_goal_for_a_team_member_only(manager, employee):
    goal_set(actor=manager, participant=employee, metric="referrals", period="month", target=5)
    goal = PersonalGoal.objects.get()
    assert (goal.participant, goal.set_by, goal.target) == (employee, manager, 5)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        goal_set(actor=manager, participant=stranger, metric="referrals", period="month", target=5)
    with pytest.raises(PermissionDenied):
        goal_set(actor=employee, participant=stranger, metric="referrals", period="month", target=5)
    assert PersonalGoal.objects.count() == 1


def test_dashboard_shows_the_progress_bars(client, employee, program):
    goal_set(actor=employee, participant=employee, metric="referrals", period="month", target=4)
    submit_lead(employee, program)
    client.force_login(employee)
    page = client.get(reverse("dashboards:home"), follow=True).content.decode()
    assert "data-goals" in page and 'aria-valuenow="25"' in page


def test_goals_page_sets_and_removes_a_goal(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("rewards:goals"), {"metric": "qualified", "period": "quarter", "target": "2"}
    )
    assert response.status_code == 302
    goal = PersonalGoal.objects.get(participant=employee)
    assert (goal.metric, goal.period, goal.target) == ("qualified", "quarter", 2)
    bad = client.post(reverse("rewards:goals"), {"metric": "x", "period": "month", "target": "0"})
    assert bad.status_code == 200 and PersonalGoal.objects.count() == 1
    client.post(reverse("rewards:goal_delete", args=[goal.pk]))
    assert not PersonalGoal.objects.exists()


def test_someone_elses_goal_cannot_be_removed(client, employee, partner_user):
    goal = goal_set(
        actor=partner_user, participant=partner_user, metric="referrals", period="month", target=1
    )
    client.force_login(employee)
    assert client.post(reverse("rewards:goal_delete", args=[goal.pk])).status_code == 404
    assert PersonalGoal.objects.filter(pk=goal.pk).exists()


def test_manager_page_sets_a_members_goal(client, manager, employee):
    client.force_login(manager)
    page = client.get(reverse("rewards:goals")).content.decode()
    assert employee.display_name in page
    response = client.post(
        reverse("rewards:goals"),
        {"participant": employee.pk, "metric": "referrals", "period": "month", "target": "3"},
    )
    assert response.status_code == 302
    assert PersonalGoal.objects.get().set_by == manager
