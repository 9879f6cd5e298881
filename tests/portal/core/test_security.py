# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_portal_pages_carry_a_strict_content_security_policy(client, db, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    # and there is no inline script for the policy to block
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())


def test_pages_cannot_be_framed(client, db):
    assert client.get("/")["X-Frame-Options"] == "DENY"


def test_forms_refuse_posts_without_a_csrf_token(employee):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        reverse("account_login"), {"login": employee.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    csrf_client.force_login(employee)
    assert csrf_client.post(reverse("accounts:preferences"), {"first_name": "X"}).status_code == 403


def test_logged_in_dashboards_have_no_inline_scripts(client, partner_admin):
    client.force_login(partner_admin)
    for name in ["dashboards:partner", "dashboards:organisation", "accounts:preferences"]:
        html = client.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
