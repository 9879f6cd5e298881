"""WebSocket consumers. Broadcasts go to a group; each consumer relays its group's events."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Everyone logged in joins this group: toasts (shout-outs, tier-ups) go here.
LIVE_GROUP = "live"
CLOSE_UNAUTHENTICATED = 4401


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.channel_layer.group_add(LIVE_GROUP, self.channel_name)
        self.joined = True
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            await self.channel_layer.group_discard(LIVE_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen; a ping keeps intermediaries from closing idle sockets.
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def live_event(self, event: dict) -> None:
        await self.send_json(event["payload"])
