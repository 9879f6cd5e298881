# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.accounts import services
from portal.accounts.models import Invitation, PartnerOrganisation, User
from portal.audit.models import AuditEvent
from tests.factories import PartnerOrganisationFactory


def _link_from_mail(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_reviewer_creates_an_organisation_and_its_first_admin_joins_it(
    client, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:partner_list"),
            {
                "name": "Globex Resellers",
                "email_domain": "globex.example",
                "admin_email": "ada@globex.example",
            },
        )
    assert response.status_code == 302
    org = PartnerOrganisation.objects.get(name="Globex Resellers")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@globex.example"]
    accept_path = _path(_link_from_mail(mail.outbox[0]))

    client.logout()
    page = client.get(accept_path)
    assert page.status_code == 200
    assert "Globex Resellers" in page.content.decode()
    response = client.post(
        accept_path,
        {
            "first_name": "Ada",
            "last_name": "Admin",
            "password1": "Globex-rocks-2026",
            "password2": "Globex-rocks-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:partner")
    ada = User.objects.get(email="ada@globex.example")
    assert ada.partner_organisation == org and ada.is_partner_admin
    # Logged in, in that organisation, and able to manage it.
    assert client.get(reverse("dashboards:organisation")).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=ada).exists()


def test_partner_admin_invites_a_colleague_into_their_own_organisation(
    client, partner_admin, django_capture_on_commit_callbacks
):
    client.force_login(partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:organisation_invite"), {"email": "colleague@acme.example"})
    invitation = Invitation.objects.get(email="colleague@acme.example")
    assert invitation.organisation == partner_admin.partner_organisation
    assert not invitation.as_admin
    client.logout()
    client.post(
        _path(_link_from_mail(mail.outbox[0])),
        {
            "first_name": "Col",
            "last_name": "League",
            "password1": "Acme-rocks-2026",
            "password2": "Acme-rocks-2026",
        },
    )
    colleague = User.objects.get(email="colleague@acme.example")
    assert colleague.partner_organisation == partner_admin.partner_organisation
    assert not colleague.is_partner_admin


def test_partner_admin_cannot_invite_into_another_organisation(client, partner_admin):
    other = PartnerOrganisationFactory()
    client.force_login(partner_admin)
    response = client.post(
        reverse("accounts:partner_invite", args=[other.pk]), {"email": "x@other.example"}
    )
    assert response.status_code == 404  # another partner's organisation does not exist for them
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=partner_admin, organisation=other, email="x@other.example")
    assert not Invitation.objects.filter(organisation=other).exists()


def test_partner_admin_cannot_make_admins(partner_admin):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=partner_admin,
            organisation=partner_admin.partner_organisation,
            email="boss@acme.example",
            as_admin=True,
        )


@pytest.mark.parametrize("persona", ["employee", "partner_user", "manager", "finance"])
def test_other_roles_cannot_invite(client, request, acme, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert (
        client.post(
            reverse("accounts:partner_invite", args=[acme.pk]), {"email": "a@b.example"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("accounts:organisation_invite"), {"email": "a@b.example"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_employees_are_not_invited_as_partners(reviewer, acme):
    with pytest.raises(ValidationError, match="company address"):
        services.invitation_create(
            actor=reviewer, organisation=acme, email="someone@demo.vouch.test"
        )


def test_expired_invitation_is_refused_with_a_clear_message(client, reviewer, acme):
    invitation, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="late@acme.example"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {
            "first_name": "L",
            "last_name": "Ate",
            "password1": "Acme-rocks-2026",
            "password2": "Acme-rocks-2026",
        },
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@acme.example").exists()


def test_used_invitation_is_refused_with_a_clear_message(client, reviewer, acme):
    _, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="once@acme.example"
    )
    services.invitation_accept(
        token=token, password="Acme-rocks-2026", first_name="O", last_name="Nce"
    )
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=token, password="Acme-rocks-2026")
    assert User.objects.filter(email="once@acme.example").count() == 1


def test_unknown_token_is_a_friendly_404(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_withdrawn_invitation_cannot_be_used(client, reviewer, acme):
    invitation, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="gone@acme.example"
    )
    services.invitation_revoke(actor=reviewer, invitation=invitation)
    assert client.get(reverse("accounts:invitation_accept", args=[token])).status_code == 410


def test_weak_password_is_refused_and_nothing_is_saved(client, reviewer, acme):
    _, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="weak@acme.example"
    )
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"first_name": "W", "last_name": "Eak", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@acme.example").exists()
    assert Invitation.objects.get(email="weak@acme.example").state == "pending"


def test_invitation_token_is_stored_only_as_a_hash(reviewer, acme):
    invitation, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="h@acme.example"
    )
    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_create_one_account(reviewer, acme):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    _, token = services.invitation_create(
        actor=reviewer, organisation=acme, email="race@acme.example"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept():
        barrier.wait()
        try:
            services.invitation_accept(
                token=token, password="Acme-rocks-2026", first_name="R", last_name="Ace"
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert User.objects.filter(email="race@acme.example").count() == 1


def test_partner_admin_removes_a_colleague_who_then_cannot_log_in(
    client, partner_admin, partner_user
):
    client.force_login(partner_admin)
    response = client.post(reverse("accounts:member_deactivate", args=[partner_user.pk]))
    assert response.status_code == 302
    partner_user.refresh_from_db()
    assert not partner_user.is_active
    assert AuditEvent.objects.filter(
        action="user.deactivated", target_id=str(partner_user.pk)
    ).exists()


def test_partner_admin_cannot_remove_users_of_another_organisation(
    client, other_partner_admin, partner_user
):
    client.force_login(other_partner_admin)
    assert (
        client.post(reverse("accounts:member_deactivate", args=[partner_user.pk])).status_code
        == 404
    )
    partner_user.refresh_from_db()
    assert partner_user.is_active
