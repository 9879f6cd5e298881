# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Wagtail admin and the MFA requirement for reviewer and finance powers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory, enable_mfa, give_role


def _log_in(client, user):
    """A real log-in (allauth records it; MFA set-up asks for a recent one)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _open_mfa_setup(client, url):
    """allauth asks for the password again before adding an authenticator."""
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith(
        reverse("account_reauthenticate")
    ):
        response = client.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("mfa_activate_totp")
    return response


@pytest.fixture
def finance_without_mfa(db):
    return give_role(UserFactory(), Role.FINANCE)


@pytest.fixture
def reviewer_without_mfa(db):
    return give_role(UserFactory(), Role.REVIEWER)


@pytest.mark.parametrize("path", ["/finance/", "/admin/"])
def test_finance_without_mfa_is_sent_to_set_it_up_first(client, finance_without_mfa, path):
    _log_in(client, finance_without_mfa)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert f"next={path.replace('/', '%2F')}" in response["Location"]
    setup = _open_mfa_setup(client, response["Location"])
    assert "authenticator app" in setup.content.decode().lower()


def test_reviewer_without_mfa_cannot_use_reviewer_powers(client, reviewer_without_mfa, acme):
    client.force_login(reviewer_without_mfa)
    response = client.post(
        reverse("accounts:partner_status", args=[acme.pk]), {"status": "suspended"}
    )
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    acme.refresh_from_db()
    assert acme.is_active


def test_finance_with_mfa_reaches_finance_pages(client, finance):
    client.force_login(finance)
    assert client.get("/finance/").status_code == 200


def test_mfa_is_offered_to_everyone_but_not_forced_on_employees(client, employee):
    _log_in(client, employee)
    assert client.get("/me/").status_code == 200
    setup = _open_mfa_setup(client, reverse("mfa_activate_totp"))
    assert "authenticator app" in setup.content.decode().lower()


def test_mfa_requirement_can_be_switched_off_for_the_embedded_demo(
    client, settings, finance_without_mfa
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(finance_without_mfa)
    assert client.get("/finance/").status_code == 200


@pytest.mark.parametrize("persona", ["employee", "partner_user", "partner_admin"])
def test_wagtail_admin_is_refused_to_employees_and_partners(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for path in ["/admin/", "/admin/pages/", "/admin/users/"]:
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("persona", ["reviewer", "finance", "manager"])
def test_wagtail_admin_is_open_to_staff_roles(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/").status_code == 200


def test_each_staff_role_sees_only_the_admin_menus_of_its_work(client, reviewer, finance):
    client.force_login(reviewer)
    reviewer_html = client.get("/admin/").content.decode()
    client.force_login(finance)
    finance_html = client.get("/admin/").content.decode()
    assert '"name": "explorer"' in reviewer_html or "explorer" in reviewer_html
    assert "explorer" not in finance_html  # no page tree for finance
    assert "/admin/images/" in reviewer_html
    assert "/admin/images/" not in finance_html
    assert "/admin/users/" not in reviewer_html and "/admin/users/" not in finance_html


def test_anonymous_admin_visitors_are_sent_to_the_portal_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_superuser_needs_mfa_too(client, db):
    boss = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(boss)
    assert client.get("/admin/")["Location"].startswith(reverse("mfa_activate_totp"))
    enable_mfa(boss)
    assert client.get("/admin/").status_code == 200


def test_reviewers_manage_partner_organisations_in_the_admin(client, reviewer, finance, acme):
    client.force_login(reviewer)
    assert "/admin/partner_organisations/" in client.get("/admin/").content.decode()
    assert client.get("/admin/partner_organisations/").status_code == 200
    response = client.get(f"/admin/partner_organisations/edit/{acme.pk}/")
    assert response.status_code == 200
    client.force_login(finance)
    # finance may look, never change
    assert client.get(f"/admin/partner_organisations/edit/{acme.pk}/").status_code in (302, 403)
