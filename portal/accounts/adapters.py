# SPDX-License-Identifier: AGPL-3.0-or-later
"""allauth adapters: who may sign up, where people land, and the language of allauth's
e-mails (the recipient's own, when we know it)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.utils import translation

from portal.core.ratelimit import client_ip

from .models import User
from .selectors import dashboard_url_for
from .services import email_domain_allowed_for_signup


def _language_of(user) -> str:
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else ""


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The one reading of the client address (``TRUSTED_PROXY_COUNT``), for allauth's
        rate limits as for the portal's own."""
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, never bound

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed logins count per account *and* client address: five wrong passwords
        sent from elsewhere must not lock the owner out. (``login_failed``'s per-address
        limit, ``10/m/ip``, still caps one address across accounts.)"""
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}|{client_ip(request)}"
        )

    def get_login_redirect_url(self, request) -> str:
        return dashboard_url_for(user=request.user)

    def save_user(self, request, user, form, commit=True):
        # A new account keeps the language its owner signed up in.
        if not user.language and translation.get_language() in dict(settings.LANGUAGES):
            user.language = translation.get_language()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Confirmation, password reset and the like go out in the recipient's language;
        for an address nobody owns yet, in the language of the page they used."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = _language_of(user)
        if not language:
            return super().send_mail(template_prefix, email, context)
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company SSO creates employees; an address outside the company domains is refused."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = (sociallogin.user.email or "").lower()
        return bool(email) and email_domain_allowed_for_signup(email=email)
