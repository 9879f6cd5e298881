# SPDX-License-Identifier: AGPL-3.0-or-later
"""The session's user is read with SQL compiled once; it must be the ORM's user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.backends import AuthenticationBackend, ModelBackend
from tests.factories import PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_the_session_user_is_the_users_row(backend):
    user = PartnerUserFactory(language="fi")
    found = backend.get_user(str(user.pk))
    assert found == user
    for field in type(user)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(user, field.attname), field.name
    assert found.partner_organisation == user.partner_organisation
    assert found._state.adding is False


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_no_user_for_an_unknown_a_malformed_or_a_deactivated_id(backend):
    user = UserFactory()
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("x") is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("leads:new")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("leads:new")).status_code == 302  # to the login page
