# SPDX-License-Identifier: AGPL-3.0-or-later
"""Referrer pages: who sees which leads, and PII only for those allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.notifications.models import Notification
from tests.factories import PartnerUserFactory, UserFactory, submit_lead


@pytest.fixture
def leads(program, employee, partner_user, partner_admin, other_partner_admin):
    return {
        "employee": submit_lead(employee, program, name="Emp Lead"),
        "partner": submit_lead(partner_user, program, name="Partner Lead"),
        "partner_admin": submit_lead(partner_admin, program, name="Admin Lead"),
        "other_partner": submit_lead(other_partner_admin, program, name="Other Partner Lead"),
    }


def _listed(client, user):
    client.force_login(user)
    response = client.get(reverse("leads:list"))
    assert response.status_code == 200
    return response.content.decode()


def test_partner_user_sees_only_their_own_leads(client, partner_user, leads):
    html = _listed(client, partner_user)
    assert "Partner Lead" in html
    assert "Admin Lead" not in html and "Emp Lead" not in html and "Other Partner Lead" not in html


def test_partner_admin_sees_the_organisation_s_leads(client, partner_admin, leads):
    html = _listed(client, partner_admin)
    assert "Partner Lead" in html and "Admin Lead" in html
    assert "Other Partner Lead" not in html and "Emp Lead" not in html


def test_partner_never_opens_another_partner_s_lead(client, partner_admin, leads):
    client.force_login(partner_admin)
    assert client.get(reverse("leads:detail", args=[leads["other_partner"].pk])).status_code == 404
    assert client.get(reverse("leads:detail", args=[leads["employee"].pk])).status_code == 404


def test_employee_sees_only_their_own(client, employee, leads):
    html = _listed(client, employee)
    assert "Emp Lead" in html and "Partner Lead" not in html
    client.force_login(employee)
    assert client.get(reverse("leads:detail", args=[leads["partner"].pk])).status_code == 404


def test_manager_sees_team_leads_without_contact_details(client, manager, employee, leads):
    client.force_login(manager)
    detail = client.get(reverse("leads:detail", args=[leads["employee"].pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Emp Lead" not in html and leads["employee"].email not in html
    assert "Only the submitter and reviewers see contact details" in html
    assert "Emp Lead" not in _listed(client, manager)
    assert client.get(reverse("leads:detail", args=[leads["partner"].pk])).status_code == 404


def test_submitter_sees_timeline_with_reasons(client, employee, reviewer, program):
    from portal.leads.services import lead_reject

    lead = submit_lead(employee, program)
    lead_reject(lead=lead, actor=reviewer, reason="not_a_fit", note="They only need one licence.")
    client.force_login(employee)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Submitted" in html and "They only need one licence." in html and "Now Rejected" in html


@pytest.mark.parametrize("name", ["leads:list", "leads:new", "leads:share"])
def test_referrer_pages_refuse_anonymous_visitors(client, db, name):
    assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))


def test_employees_and_partners_both_get_a_referral_link(client, partner_user):
    client.force_login(partner_user)
    assert client.get(reverse("leads:share")).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("leads:share")).status_code == 200


def test_lists_run_a_bounded_number_of_queries(
    client, partner_admin, program, django_assert_max_num_queries, settings
):
    for _ in range(3):
        colleague = PartnerUserFactory(partner_organisation=partner_admin.partner_organisation)
        for _ in range(4):
            submit_lead(colleague, program)
    client.force_login(partner_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("leads:list")).status_code == 200
    # 16, and the reader's personal goals (one query); without Redis (the embedded default)
    # three more: the session from the database, the board widget's totals and names from
    # SQL (one reading of the board for its top and the reader's rank).
    with django_assert_max_num_queries(17 if settings.REDIS_URL else 20):
        assert client.get(reverse("dashboards:partner")).status_code == 200


def test_notification_list_and_unread_count(client, employee, reviewer, program):
    from portal.leads.services import lead_qualify

    lead = submit_lead(employee, program)
    lead_qualify(lead=lead, actor=reviewer)
    client.force_login(employee)
    page = client.get(reverse("notifications:list")).content.decode()
    unread = Notification.objects.filter(user=employee, read_at__isnull=True).count()
    assert unread == 3  # thank-you, first-referral badge, qualified
    assert f"data-unread>{unread}<" in page
    assert f"Referral #{lead.pk}: Qualified" in page
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=employee, read_at__isnull=True).exists()
    assert "data-unread" not in client.get(reverse("notifications:list")).content.decode()


def test_notifications_are_private(client, employee, partner_user, program):
    submit_lead(employee, program, name="Private Person")
    client.force_login(partner_user)
    assert "Private Person" not in client.get(reverse("notifications:list")).content.decode()


def test_notification_email_is_in_the_user_s_language(
    employee, reviewer, program, django_capture_on_commit_callbacks
):
    from django.core import mail

    employee.language = "fi"
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit_lead(employee, program)
    assert mail.outbox[0].to == [employee.email]
