# SPDX-License-Identifier: AGPL-3.0-or-later
"""A bare Channels broadcast: every socket joins one group and relays its messages as they
are (no middleware, no database, no encoding per socket). Served by daphne like the portal."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_ws.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bare"


class BareConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]  # joined on connect, left on disconnect

    async def bare_message(self, event: dict) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/bare/", BareConsumer.as_asgi())])}
)
