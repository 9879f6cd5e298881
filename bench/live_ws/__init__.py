# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers of bench/live_fanout.py: the channel layer of a run, the portal's settings with
it (``live_ws.settings``) and the process that makes the qualifying actions
(``live_ws.driver``). Lives in a package so that `make bench` (bench/*.py) does not run it.
"""

from __future__ import annotations

import copy
import os

BACKENDS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
# Redis pub/sub channels are not per database: a prefix of its own keeps the benchmark's
# groups apart from anything else on the same Redis.
PREFIX = "vouch:bench-live"


def channel_layers() -> dict:
    """The project's CHANNEL_LAYERS (portal/settings/base.py, read from REDIS_URL) with the
    backend chosen by BENCH_CHANNEL_LAYER (core or pubsub) and the benchmark's prefix. The
    hosts (socket_timeout None, max_connections 2000) stay the project's."""
    from portal.settings.base import CHANNEL_LAYERS as project

    default = project["default"]
    if not default["BACKEND"].startswith("channels_redis."):
        raise RuntimeError(f"REDIS_URL gives no Redis channel layer: {default['BACKEND']}")
    config = copy.deepcopy(default["CONFIG"])
    config["prefix"] = PREFIX
    backend = os.environ.get("BENCH_CHANNEL_LAYER", "core")
    return {"default": {"BACKEND": BACKENDS[backend], "CONFIG": config}}
