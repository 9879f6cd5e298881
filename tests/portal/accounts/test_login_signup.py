# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User
from tests.factories import PASSWORD


def test_employee_logs_in_by_email_and_lands_on_their_dashboard(client, employee):
    response = client.post(
        reverse("account_login"), {"login": employee.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:employee")
    assert client.get(reverse("dashboards:employee")).status_code == 200


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = client.post(
        reverse("account_login"), {"login": employee.email, "password": "nope-nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_rate_limited(client, employee):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": employee.email, "password": "wrong-wrong"})
    response = client.post(
        reverse("account_login"), {"login": employee.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def _signup(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Sam",
            "last_name": "Seller",
            "email": email,
            "password1": "a-long-Secret-42",
            "password2": "a-long-Secret-42",
        },
    )


def test_signup_with_a_company_domain_creates_an_unverified_employee(client, db):
    response = _signup(client, "Sam.Seller@Demo.Vouch.Test")
    assert response.status_code == 302
    user = User.objects.get(email__iexact="sam.seller@demo.vouch.test")
    assert user.partner_organisation is None
    assert user.first_name == "Sam"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1  # the verification e-mail
    assert "confirm" in mail.outbox[0].body.lower()


def test_unverified_employee_must_confirm_email_before_logging_in(client, db):
    _signup(client, "new.person@demo.vouch.test")
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "new.person@demo.vouch.test", "password": "a-long-Secret-42"},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "email", ["someone@gmail.example", "partner@acme.example", "x@demo.vouch.test.evil.example"]
)
def test_signup_outside_company_domains_is_refused_with_a_clear_message(client, db, email):
    response = _signup(client, email)
    assert response.status_code == 200
    assert "company e-mail addresses only" in response.content.decode()
    assert not User.objects.filter(email=email).exists()
