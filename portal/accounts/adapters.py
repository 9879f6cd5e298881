# SPDX-License-Identifier: AGPL-3.0-or-later
"""allauth adapters: who may sign up, and where people land."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from .selectors import dashboard_url_for
from .services import email_domain_allowed_for_signup


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        return dashboard_url_for(request.user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company SSO creates employees; an address outside the company domains is refused."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = (sociallogin.user.email or "").lower()
        return bool(email) and email_domain_allowed_for_signup(email)
