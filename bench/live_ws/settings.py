# SPDX-License-Identifier: AGPL-3.0-or-later
"""The portal's settings (portal.settings.base, from the environment as in production) with
the channel layer backend of the run (BENCH_CHANNEL_LAYER=core|pubsub)."""

from live_ws import channel_layers
from portal.settings.base import *  # noqa: F403

CHANNEL_LAYERS = channel_layers()
