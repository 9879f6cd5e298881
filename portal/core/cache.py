# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Redis cache, with one client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache
call (its constructor fills a table of about 170 response callbacks); the session (read
on every request) paid that twice a request. A ``redis.Redis`` is safe to share between
threads: each command takes a connection from the pool and gives it back."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers (not in django-stubs), as its own get_client uses them.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            # Two threads may both build one on first use; either is fine to keep.
            client = self._clients.setdefault(
                index,
                self._client(connection_pool=pool),  # type: ignore[attr-defined]
            )
        return client


class SharedClientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` without a client per call."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
