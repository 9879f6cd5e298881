# SPDX-License-Identifier: AGPL-3.0-or-later
"""API tokens: created on the settings page (shown once, stored hashed), listed with their
last use, revoked at once; the MFA rule; integration keys; the management command."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.accounts.roles import Role
from portal.api.models import ApiToken
from portal.api.services import api_token_create, integration_key_create
from portal.audit.models import AuditEvent
from tests.factories import PartnerUserFactory, UserFactory, give_role, submit_lead

from .conftest import ApiClient

TOKEN = re.compile(r"vch_[0-9a-f]{8}_[\w-]{40,}")


def _create_on_page(client, user, name="CRM sync"):
    client.force_login(user)
    response = client.post(reverse("api_tokens:tokens"), {"name": name})
    assert response.status_code == 200
    found = TOKEN.findall(response.content.decode())
    return response, (found[0] if found else None)


def test_settings_links_to_the_token_page(client, employee):
    client.force_login(employee)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert reverse("api_tokens:tokens") in page


def test_token_is_shown_once_and_stored_as_a_hash(client, employee):
    response, token = _create_on_page(client, employee)
    assert token, "the new token is on the page"
    row = ApiToken.objects.get(user=employee)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) == 12
    assert not ApiToken.objects.filter(key_hash=token).exists()
    listing = client.get(reverse("api_tokens:tokens")).content.decode()
    assert token not in listing and row.prefix in listing  # later: the prefix only
    assert AuditEvent.objects.filter(action="api_token.created", actor=employee).exists()


def test_last_use_is_recorded_and_listed(client, employee):
    _response, token = _create_on_page(client, employee)
    listing = client.get(reverse("api_tokens:tokens")).content.decode()
    assert "never" in listing
    assert ApiClient(token).get("/api/v1/me/").status_code == 200
    row = ApiToken.objects.get(user=employee)
    assert row.last_used_at is not None
    assert "never" not in client.get(reverse("api_tokens:tokens")).content.decode()


def test_revocation_takes_effect_at_once(client, employee):
    _response, token = _create_on_page(client, employee)
    api = ApiClient(token)
    assert api.get("/api/v1/me/").status_code == 200
    row = ApiToken.objects.get(user=employee)
    assert client.post(reverse("api_tokens:token_revoke", args=[row.pk])).status_code == 302
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=employee).exists()


def test_people_cannot_revoke_or_see_each_others_tokens(client, employee):
    other = UserFactory()
    row, _token = api_token_create(user=other, name="theirs", actor=other)
    client.force_login(employee)
    assert row.prefix not in client.get(reverse("api_tokens:tokens")).content.decode()
    assert client.post(reverse("api_tokens:token_revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_deactivated_user_s_token_stops_working(employee, api_as):
    api = api_as(employee)
    employee.is_active = False
    employee.save()
    assert api.get("/api/v1/me/").status_code == 401


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("api_tokens:tokens"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_token_page_has_no_inline_script(client, employee):
    client.force_login(employee)
    html = client.get(reverse("api_tokens:tokens")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


# --- The MFA rule --------------------------------------------------------------------------


@pytest.fixture
def reviewer_without_mfa(db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    return give_role(UserFactory(), Role.REVIEWER)


def test_staff_without_mfa_cannot_create_tokens(client, reviewer_without_mfa):
    response, token = _create_on_page(client, reviewer_without_mfa)
    assert token is None and not ApiToken.objects.exists()
    assert reverse("mfa_activate_totp") in client.get(reverse("api_tokens:tokens")).content.decode()
    with pytest.raises(CommandError, match="two-factor"):
        call_command("create_api_token", email=reviewer_without_mfa.email, stdout=StringIO())


def test_a_token_stops_working_while_its_staff_user_lacks_mfa(settings, reviewer, api_as):
    from allauth.mfa.models import Authenticator

    api = api_as(reviewer)
    assert api.get("/api/v1/me/").status_code == 200
    Authenticator.objects.filter(user=reviewer).delete()  # TOTP switched off afterwards
    settings.MFA_REQUIRED_FOR_STAFF = True
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"


def test_employees_need_no_mfa(settings, employee, api_as):
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert api_as(employee).get("/api/v1/me/").status_code == 200


# --- Bearer header ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer vch_00000000_nope", "Bearer not-a-token", "Token xyz"],
)
def test_malformed_or_unknown_tokens_are_401(db, header):
    response = ApiClient().get("/api/v1/me/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert set(response.json()) == {"code", "message"}


# --- The command ----------------------------------------------------------------------------


def test_create_api_token_command_prints_a_working_token(employee):
    out = StringIO()
    call_command("create_api_token", email=employee.email.upper(), name="Laptop", stdout=out)
    token = out.getvalue().strip()
    assert TOKEN.fullmatch(token)
    assert ApiClient(token).get("/api/v1/me/").json()["email"] == employee.email
    row = ApiToken.objects.get()
    assert row.name == "Laptop" and row.created_by is None
    assert AuditEvent.objects.get(action="api_token.created").data["via"] == "command"


def test_create_api_token_command_refuses_unknown_people(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", email="nobody@demo.vouch.test", stdout=StringIO())


# --- Integration keys -----------------------------------------------------------------------


def test_partner_admin_creates_an_integration_key_acting_as_a_member(
    client, partner_admin, partner_user, program
):
    client.force_login(partner_admin)
    page = client.get(reverse("dashboards:organisation")).content.decode()
    assert reverse("api_tokens:integration_keys") in page
    response = client.post(
        reverse("api_tokens:integration_keys"), {"name": "Acme CRM", "acting_user": partner_user.pk}
    )
    token = TOKEN.findall(response.content.decode())[0]
    key = ApiToken.objects.get()
    assert key.organisation == partner_admin.partner_organisation and key.user == partner_user
    api = ApiClient(token)
    created = api.post(
        "/api/v1/leads/",
        {"program": program.slug, "name": "Dana", "email": "dana@buyer.example", "consent": True},
    )
    assert created.status_code == 201
    assert created.json()["referrer"]["id"] == partner_user.pk  # the member it acts as
    assert created.json()["organisation"]["id"] == partner_admin.partner_organisation_id
    # the key has that member's rights: their own leads only, not the admin's
    admin_lead = submit_lead(partner_admin, program)
    assert api.get(f"/api/v1/leads/{admin_lead.pk}/").status_code == 404

    client.post(reverse("api_tokens:integration_key_revoke", args=[key.pk]))
    assert api.get("/api/v1/me/").status_code == 401
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_an_integration_key_may_only_act_as_its_own_organisation_s_members(
    client, partner_admin, other_partner_admin
):
    client.force_login(partner_admin)
    response = client.post(
        reverse("api_tokens:integration_keys"),
        {"name": "x", "acting_user": other_partner_admin.pk},
    )
    assert response.status_code == 200 and not ApiToken.objects.exists()


def test_a_key_stops_working_when_its_member_leaves(partner_admin, partner_user):
    _key, token = integration_key_create(
        actor=partner_admin,
        organisation=partner_admin.partner_organisation,
        acting_user=partner_user,
        name="CRM",
    )
    assert ApiClient(token).get("/api/v1/me/").status_code == 200
    partner_user.partner_organisation = PartnerUserFactory().partner_organisation
    partner_user.save()
    assert ApiClient(token).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("persona", ["employee", "partner_user", "manager", "finance"])
def test_only_partner_admins_and_reviewers_manage_integration_keys(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("api_tokens:integration_keys")).status_code in (403, 404)


def test_partner_admin_cannot_reach_another_organisation_s_keys(
    client, partner_admin, other_partner_admin
):
    org = other_partner_admin.partner_organisation
    key, _token = integration_key_create(
        actor=other_partner_admin, organisation=org, acting_user=other_partner_admin, name="x"
    )
    client.force_login(partner_admin)
    assert (
        client.get(reverse("api_tokens:review_integration_keys", args=[org.pk])).status_code == 404
    )
    assert (
        client.post(reverse("api_tokens:integration_key_revoke", args=[key.pk])).status_code == 404
    )
    key.refresh_from_db()
    assert key.revoked_at is None
    assert key.prefix not in client.get(reverse("api_tokens:integration_keys")).content.decode()


def test_reviewers_manage_every_organisation_s_keys(client, reviewer, partner_user):
    org = partner_user.partner_organisation
    client.force_login(reviewer)
    assert (
        reverse("api_tokens:review_integration_keys", args=[org.pk])
        in client.get(reverse("accounts:partner_list")).content.decode()
    )
    response = client.post(
        reverse("api_tokens:review_integration_keys", args=[org.pk]),
        {"name": "Partner portal", "acting_user": partner_user.pk},
    )
    assert TOKEN.search(response.content.decode())
    key = ApiToken.objects.get()
    assert key.created_by == reviewer
    client.post(reverse("api_tokens:review_integration_key_revoke", args=[key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == reviewer
