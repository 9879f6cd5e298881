# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.accounts import services
from portal.accounts.models import PartnerOrganisation
from portal.audit.models import AuditEvent
from portal.leads.permissions import lead_submission_permission


def test_reviewer_suspends_an_organisation_and_it_is_audited(client, reviewer, acme):
    client.force_login(reviewer)
    response = client.post(
        reverse("accounts:partner_status", args=[acme.pk]), {"status": "suspended"}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.status == PartnerOrganisation.Status.SUSPENDED
    event = AuditEvent.objects.get(action="organisation.status_changed")
    assert (event.actor, event.from_state, event.to_state) == (reviewer, "active", "suspended")


def test_suspended_partner_can_log_in_but_not_submit(client, reviewer, partner_user):
    services.organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    partner_user.refresh_from_db()
    permission = lead_submission_permission(user=partner_user)
    assert not permission.allowed
    assert "suspended" in str(permission.reason)
    client.force_login(partner_user)
    html = client.get(reverse("dashboards:partner")).content.decode()
    assert "cannot submit referrals right now" in html
    assert "suspended" in html


def test_active_partner_and_employee_may_submit(partner_user, employee):
    assert lead_submission_permission(user=partner_user).allowed
    assert lead_submission_permission(user=employee).allowed


@pytest.mark.parametrize("persona", ["employee", "partner_admin", "manager", "finance"])
def test_only_reviewers_suspend_organisations(client, request, acme, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert (
        client.post(
            reverse("accounts:partner_status", args=[acme.pk]), {"status": "suspended"}
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.organisation_set_status(actor=user, organisation=acme, status="suspended")
    acme.refresh_from_db()
    assert acme.is_active


def test_duplicate_organisation_name_is_refused_and_nothing_is_saved(client, reviewer, acme):
    client.force_login(reviewer)
    response = client.post(
        reverse("accounts:partner_list"),
        {"name": "acme partners", "email_domain": "", "admin_email": "z@zz.example"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert PartnerOrganisation.objects.count() == 1


def test_partner_list_is_for_reviewers_only(client, partner_admin):
    client.force_login(partner_admin)
    assert client.get(reverse("accounts:partner_list")).status_code == 403


def test_preferences_save_language_and_initials(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("accounts:preferences"),
        {"first_name": "Eve", "last_name": "Example", "language": "fi", "show_initials_only": "on"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == "fi" and employee.show_initials_only
    assert employee.public_name == "E.E."
    page = client.get(reverse("dashboards:employee"))
    assert page.headers["Content-Language"] == "fi"
