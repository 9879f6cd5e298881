# SPDX-License-Identifier: AGPL-3.0-or-later
"""``Authorization: Bearer <token>``: personal API tokens and integration keys."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .services import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None  # no token: other authenticators, or a 401 from the permission check
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <token>”.")
            )
        token = api_token_authenticate(raw=header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        user = token.user
        if user.language:  # the user's language, as on their pages
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token (Settings → API tokens, or `manage.py create_api_token`) "
                "or a partner organisation's integration key."
            ),
        }
