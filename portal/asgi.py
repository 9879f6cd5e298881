# SPDX-License-Identifier: AGPL-3.0-or-later
"""ASGI entry point: HTTP and WebSockets (``make run``; ``/ws/`` in production)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

# Django must be set up before anything that imports models (routing, consumers).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from leaderboard.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            # types-channels wants URLPatterns typed with an ASGI callback; Django types path()
            # as returning a plain URLPattern.
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))  # type: ignore[arg-type]
        ),
    }
)

# Collections of the oldest generation walk every object the process holds: with thousands
# of sockets they paused deliveries by 100-250 ms now and then (bench/live_fanout.py).
# What Django loaded at start-up lives as long as the process: out of every collection.
gc.freeze()
