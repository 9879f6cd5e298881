# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from portal.core.ratelimit import Rate, client_ip, rate_limit_hit


class ApiRateThrottle(BaseThrottle):
    """``API_RATE_LIMIT`` requests per token (per user on the browser docs page, per
    client address before authentication), counted atomically in Redis in production
    (``portal.core.ratelimit``): parallel clients never get more than the limit."""

    def __init__(self) -> None:
        self._retry_after: int | None = None

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        rate = Rate.parse(settings.API_RATE_LIMIT)  # read per request: tests change it
        auth = getattr(request, "auth", None)
        user = getattr(request, "user", None)
        if auth is not None and getattr(auth, "pk", None) is not None:
            ident = f"token-{auth.pk}"
        elif user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        hit = rate_limit_hit(key=f"api:{ident}", rate=rate)
        self._retry_after = None if hit.allowed else hit.retry_after
        return hit.allowed

    def wait(self) -> float | None:
        return self._retry_after
