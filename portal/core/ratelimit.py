# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rate limits that hold under concurrency: one atomic counter per key and window.

Every limit of the portal (the API per token, the public referral form per link and per
client address) counts here. In production the counter is a Redis key raised and given
its expiry by one Lua script, so parallel requests on any number of processes never admit
more than the limit. The embedded default (one process, local-memory cache) counts with
the cache's own locked increment. Login lockout is allauth's (``ACCOUNT_RATE_LIMITS``),
keyed per account *and* address by ``portal.accounts.adapters.AccountAdapter``.

The client address comes from :func:`client_ip`: ``X-Forwarded-For`` is read only through
``TRUSTED_PROXY_COUNT`` proxies (the compose stack's nginx is one), otherwise any visitor
could pick the address they are counted under.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_RE = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]*)\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*")

# INCR and, on the first hit of a window, EXPIRE: one round trip, atomic in Redis.
_INCR_EXPIRE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"600/min"``, ``"5/h"``, ``"10/5m"``: hits per period. ValueError otherwise."""
        match = RATE_RE.fullmatch(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a rate such as 600/min or 5/h")
        count, multiple, unit = match.groups()
        return cls(limit=int(count), period=int(multiple or 1) * UNITS[unit[0]])


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def rate_limit_hit(*, key: str, rate: Rate) -> Hit:
    """Count one hit on ``key`` and say whether it is within ``rate``. The window starts
    at the key's first hit and lasts ``rate.period`` seconds. Atomic: N parallel calls
    on a fresh key admit exactly ``min(N, rate.limit)``."""
    cache = _cache()
    name = f"rl:{key}"
    if isinstance(cache, RedisCache):
        redis_key = cache.make_and_validate_key(name)
        client = cache._cache.get_client(redis_key, write=True)
        count, ttl = client.eval(_INCR_EXPIRE, 1, redis_key, rate.period)
        count, ttl = int(count), int(ttl)
    else:
        # Local memory (one process): add() and incr() each hold the cache's lock.
        ttl = rate.period
        while True:
            cache.add(name, 0, timeout=rate.period)
            try:
                count = cache.incr(name)
                break
            except ValueError:  # expired between add() and incr(): start the next window
                continue
    return Hit(allowed=count <= rate.limit, count=count, retry_after=max(ttl, 1))


def rate_limit_reset(*, key: str) -> None:
    """Forget the count of ``key`` (tests, and an operator lifting a limit)."""
    _cache().delete(f"rl:{key}")


def client_ip(request: HttpRequest) -> str:
    """The address of the client: ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXY_COUNT``
    proxies, the address the outermost of them saw (the n-th entry from the right of
    ``X-Forwarded-For``). Entries left of that are the client's own claim and never used.
    An unreadable value falls back to ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= trusted:
            candidate = hops[-trusted]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def _keyed(kind: str, value: str) -> str:
    if not value:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}|client|{kind}|{value}".encode()).hexdigest()


def client_fingerprint(request: HttpRequest) -> dict[str, str]:
    """Where a request came from, as keyed hashes (no address is kept): the client
    address, its network (/24, /48), the address with the browser, and the browser's
    user agent (shortened), for the fraud review's detectors."""
    ip = client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "") or ""
    try:
        address = ipaddress.ip_address(ip)
        network = str(
            ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", strict=False)
        )
    except ValueError:
        network = ""
    return {
        "address": _keyed("address", ip),
        "network": _keyed("network", network),
        "device": _keyed("device", f"{ip}|{agent}"),
        "user_agent": agent[:200],
    }
