# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .selectors import can_access_admin, needs_mfa_setup

# Where reviewer and finance powers are used: MFA is required before these.
MFA_PROTECTED_PREFIXES = ("/admin/", "/review/", "/finance/")
ADMIN_PREFIX = "/admin/"
ADMIN_PUBLIC_PATHS = ("/admin/login/", "/admin/logout/", "/admin/password_reset/")


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(request, "language_from_url", False):
            pass  # a content page is shown whole in its own language (/fi/... or English)
        elif user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class StaffAreaMiddleware:
    """Guards the staff areas: the Wagtail admin is refused (403) to employees and
    partners, and reviewers and finance are sent to set up MFA before staff pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        user = request.user
        if user.is_authenticated:
            in_admin = path.startswith(ADMIN_PREFIX) and not path.startswith(ADMIN_PUBLIC_PATHS)
            if in_admin and not can_access_admin(user=user):
                raise PermissionDenied(_("The admin is for reviewers, finance and managers."))
            if path.startswith(MFA_PROTECTED_PREFIXES) and needs_mfa_setup(user=user):
                messages.warning(
                    request,
                    _("Set up two-factor authentication before using reviewer or finance tools."),
                )
                return redirect(reverse("mfa_activate_totp") + "?" + urlencode({"next": path}))
        return self.get_response(request)
