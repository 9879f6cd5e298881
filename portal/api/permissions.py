# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from portal.accounts.selectors import needs_mfa_setup, roles_of


class ApiAccess(BasePermission):
    """Every endpoint: a logged-in user with a role; reviewers and finance only once they
    meet the web's MFA rule (a token never bypasses what the web requires). What each user
    may then see and do is decided by the domain selectors, in the views."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not roles_of(user=user):
            raise exceptions.PermissionDenied(_("This account has no role in Vouch."))
        if needs_mfa_setup(user=user):
            raise exceptions.PermissionDenied(
                _("Set up two-factor authentication before using the API with this account."),
                code="mfa_required",
            )
        return True
