# SPDX-License-Identifier: AGPL-3.0-or-later
"""``/healthz``: database, Redis and Celery status for load balancers and people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .tasks import HEARTBEAT_KEY
from .version import vouch_version

_TIMEOUT = 2  # seconds


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down", whatever the driver raised
        return {"status": "down", "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


def _check_redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"status": "embedded"}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT
        )
        client.ping()
        client.close()
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok"}


def _check_celery() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL:
        return {"status": "inline"}
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=_TIMEOUT)
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    try:
        last = cache.get(HEARTBEAT_KEY)
    except Exception:
        last = None
    return {"status": "ok", "last_heartbeat": last}


def _check_events() -> dict[str, Any]:
    from portal.events.selectors import events_backlog

    try:
        backlog = events_backlog()
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    age = round(backlog.oldest_age_seconds, 1)
    late = age > settings.EVENTS_MAX_AGE_SECONDS
    return {
        "status": "down" if late else "ok",
        "pending": backlog.pending,
        "oldest_age_seconds": age,
        "max_age_seconds": settings.EVENTS_MAX_AGE_SECONDS,
    }


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _check_database(),
        "redis": _check_redis(),
        "celery": _check_celery(),
        "events": _check_events(),
    }
    healthy = all(check["status"] != "down" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", "version": vouch_version(), **checks},
        status=200 if healthy else 503,
    )
