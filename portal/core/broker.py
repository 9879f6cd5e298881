# SPDX-License-Identifier: AGPL-3.0-or-later
"""Kombu's Redis transport, with one Redis client per channel.

Kombu's ``Channel.conn_or_acquire`` builds a new ``redis.Redis`` for every message it
publishes (its constructor fills a table of about 170 response callbacks); a lead
submission request publishes one (``events_dispatch``) after its commit when no wake-up
is pending. A ``redis.Redis`` is safe to share: each command takes a connection from the
channel's pool and returns it. Celery uses it through ``CELERY_BROKER_TRANSPORT`` when
the broker is Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.utils.objects import cached_property


class Channel(kombu_redis.Channel):
    @cached_property
    def _shared_client(self) -> Any:
        return self._create_client()  # type: ignore[attr-defined]

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._shared_client


class Transport(kombu_redis.Transport):
    Channel = Channel
