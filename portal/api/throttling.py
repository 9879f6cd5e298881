# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiRateThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests per user (or per IP address before authentication),
    counted in the shared cache (Redis in production), so every web process agrees."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT  # read per request: settings can change in tests

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"api-throttle:{self.scope}:{ident}"
