# SPDX-License-Identifier: AGPL-3.0-or-later
"""WebSocket consumers. Broadcasts go to a group; each consumer relays its group's events."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Everyone logged in joins this group: toasts (shout-outs, tier-ups) go here.
LIVE_GROUP = "live"


def user_group(user_id: int) -> str:
    """A person's own group: their figures as they change (points, tier)."""
    return f"user.{user_id}"


CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.joined = [LIVE_GROUP, user_group(user.pk)]
        for name in self.joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen; a ping keeps intermediaries from closing idle sockets.
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def dispatch(self, message: dict) -> None:
        # Relaying a broadcast touches no database: skip Channels' per-message
        # close_old_connections() thread hop, half the fan-out time at 1,000 sockets
        # (measured in bench/live_fanout.py).
        if message["type"] == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)

    async def live_event(self, event: dict) -> None:
        await self.send_json(event["payload"])


@database_sync_to_async
def _board_access(user, board_id: str, token: str | None):
    from .ranking import Board
    from .selectors import board_visible_to, tv_screen_for_token
    from .services import board_group

    try:
        board = Board.parse(board_id)
    except ValueError:
        return None
    screen = tv_screen_for_token(token=token)
    if screen is not None and board_id in screen.board_ids:
        return board_group(board=board)  # a TV link: read-only, this screen's boards only
    if user is not None and user.is_authenticated and board_visible_to(user=user, board=board):
        return board_group(board=board)
    return None


class BoardConsumer(LiveConsumer):
    """One board's live diffs (and the toasts), for pages and TV screens."""

    async def connect(self) -> None:
        board_id = self.scope["url_route"]["kwargs"]["board_id"]
        tokens = parse_qs(self.scope.get("query_string", b"").decode()).get("tv") or []
        token = tokens[0] if tokens else None
        group = await _board_access(self.scope.get("user"), board_id, token)
        if group is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.joined = [group, LIVE_GROUP]
        for name in self.joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "board": board_id})
