# SPDX-License-Identifier: AGPL-3.0-or-later
"""Vouch's own system checks (``manage.py check --deploy`` runs them with Django's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

# Caches whose counters every web process shares, with an atomic increment (INCRBY).
SHARED_CACHES = {
    "django.core.cache.backends.redis.RedisCache",
    "portal.core.cache.SharedClientRedisCache",
}


@checks.register(checks.Tags.caches, deploy=True)
def rate_limit_cache_is_shared(
    *, app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Rate limits (portal.core.ratelimit: the API, the public referral form; allauth's
    login limits) count in a cache. In production several processes serve the web, so
    that cache must be one they all share: Redis. The embedded default is one process,
    where local memory counts right, so the rule is a deployment check."""
    alias = getattr(settings, "RATE_LIMIT_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in SHARED_CACHES:
        return []
    return [
        checks.Error(
            f"Rate limits count in the {alias!r} cache ({backend or 'missing'}), which each "
            "process keeps for itself: with several processes a limit multiplies.",
            hint="Set REDIS_URL (the cache, the channel layer and Celery then use Redis).",
            id="vouch.E001",
        )
    ]
