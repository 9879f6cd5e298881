# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Redis cache backend keeps one client per connection pool."""

from __future__ import annotations

import pytest
from django.conf import settings

from portal.core.cache import SharedClientRedisCache


def test_the_redis_cache_builds_its_client_once():
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/0", {})
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first  # one server: one pool


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_the_redis_cache_reads_and_writes(settings):
    cache = SharedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-shared-client"})
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}
    assert cache.delete("k")
    assert cache.get("k") is None
