# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one WebSocket of a page: ``/ws/live/`` (optionally ``?board=<id>``, and ``&tv=<token>``
for a TV screen's link). It carries the toasts of the socket's audience, the person's own
figures and, when asked, one board's diffs, so a page opens one socket and gets one toast
per event.

- Pushes arrive pre-encoded (``leaderboard.push``): the socket sends the text as it is.
- Back-pressure: each socket has a bounded outbox. A client that falls behind by more than
  ``LIVE_OUTBOX_LIMIT`` messages, or does not take one within ``LIVE_SEND_TIMEOUT``
  seconds, is closed (4429) and reconnects; it never delays the others.
- A (re)connecting board page gets the board at once (a snapshot read from Redis, kept a
  second per board and audience in the process, so a herd of reconnects reads it once),
  not every diff it missed.
- Redis away: the handshake is refused (4503) or the open socket is closed; the page says
  it is offline, keeps what it shows, and reconnects with jittered back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from portal.accounts.display import Audience, audience_of

from .push import MESSAGE_TYPE, board_group, encode, live_group, user_group

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4429
CLOSE_UNAVAILABLE = 4503

SNAPSHOT_ROWS = 50  # a board page's rows
SNAPSHOT_SECONDS = 1.0
_snapshots: dict[tuple[str, Audience], tuple[float, str]] = {}


def outbox_limit() -> int:
    return int(settings.LIVE_OUTBOX_LIMIT)


def send_timeout() -> float:
    return float(settings.LIVE_SEND_TIMEOUT)


@database_sync_to_async
def _access(user, board_id: str | None, token: str | None) -> tuple[Audience, str | None] | int:
    """(audience, board id or None) the socket may join, or the close code."""
    from .ranking import Board
    from .selectors import board_visible_to, tv_screen_for_token

    screen = tv_screen_for_token(token=token) if token else None
    signed_in = user is not None and user.is_authenticated
    if screen is None and not signed_in:
        return CLOSE_UNAUTHENTICATED if not token else CLOSE_FORBIDDEN
    audience = Audience.PARTNER if screen is not None else audience_of(viewer=user)
    if not board_id:
        return audience, None
    try:
        board = Board.parse(board_id)
    except ValueError:
        return CLOSE_FORBIDDEN
    if screen is not None:
        # A TV link: read-only, this screen's boards only.
        return (audience, board.id) if board.id in screen.board_ids else CLOSE_FORBIDDEN
    return (audience, board.id) if board_visible_to(user=user, board=board) else CLOSE_FORBIDDEN


def _snapshot_text(board_id: str, audience: Audience) -> str:
    """The board as ``audience`` sees it, encoded; read from the store at most once a
    second per process (a reconnect herd reads it once, from Redis)."""
    now = time.monotonic()
    cached = _snapshots.get((board_id, audience))
    if cached is not None and now - cached[0] < SNAPSHOT_SECONDS:
        return cached[1]
    from .ranking import Board
    from .selectors import board_rows_by_audience

    for each, rows in board_rows_by_audience(board=Board.parse(board_id), n=SNAPSHOT_ROWS).items():
        payload = {
            "type": "board",
            "board": board_id,
            "snapshot": True,
            "set": {str(r["rank"]): [r["id"], r["name"], r["total"]] for r in rows},
            "drop": [],
        }
        _snapshots[(board_id, each)] = (now, encode(payload))
    return _snapshots[(board_id, audience)][1]


snapshot_text = database_sync_to_async(_snapshot_text)


def forget_snapshot(board_id: str) -> None:
    """Drop this process's snapshots of a board (a diff of it just arrived)."""
    for audience in Audience:
        _snapshots.pop((board_id, audience), None)


class LiveSocket(AsyncWebsocketConsumer):
    """A page's live connection (see the module's docstring)."""

    joined: list[str]
    outbox: asyncio.Queue[str]
    writer: asyncio.Task | None = None
    closing = False

    async def connect(self) -> None:
        self.joined = []
        query = parse_qs(self.scope.get("query_string", b"").decode())
        board_id = (
            (self.scope.get("url_route", {}).get("kwargs", {}).get("board_id"))
            or (query.get("board") or [""])[0]
            or None
        )
        token = (query.get("tv") or [""])[0] or None
        user = self.scope.get("user")
        access = await _access(user, board_id, token)
        if isinstance(access, int):
            await self.close(code=access)
            return
        audience, board = access
        groups = [live_group(audience)]
        if user is not None and user.is_authenticated:
            groups.append(user_group(user.pk))
        if board is not None:
            groups.append(board_group(board, audience))
        try:
            for name in groups:
                await self.channel_layer.group_add(name, self.channel_name)
                self.joined.append(name)
        except Exception:
            log.warning("live socket: the channel layer is unavailable", exc_info=True)
            await self._leave()
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.outbox = asyncio.Queue(maxsize=outbox_limit())
        self.writer = asyncio.create_task(self._write())
        await self.accept()
        hello: dict = {"type": "hello", "audience": str(audience)}
        if user is not None and user.is_authenticated:
            hello["user"] = user.pk
        if board is not None:
            hello["board"] = board
        self.enqueue(encode(hello))
        if board is not None:
            try:
                self.enqueue(await snapshot_text(board, audience))
            except Exception:  # the board store is away: the page keeps what it shows
                log.warning("live socket: no snapshot of %s", board, exc_info=True)

    async def _leave(self) -> None:
        for group in self.joined:
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.writer is not None:
            self.writer.cancel()
        await self._leave()

    async def receive(self, text_data=None, bytes_data=None) -> None:
        # Clients only listen; a ping keeps intermediaries from closing idle sockets.
        if text_data and '"ping"' in text_data:
            self.enqueue('{"type":"pong"}')

    async def dispatch(self, message: dict) -> None:
        # Relaying a push touches no database: skip Channels' per-message
        # close_old_connections() thread hop (bench/live_fanout.py).
        if message["type"] == MESSAGE_TYPE:
            if "board" in message:  # the board moved: this process's snapshot is stale
                forget_snapshot(message["board"])
            self.enqueue(message["text"])
            return
        await super().dispatch(message)

    def enqueue(self, text: str) -> None:
        """Queue a text for the client; a client this far behind is dropped."""
        if self.closing:
            return
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self._drop("outbox full")

    def _drop(self, why: str) -> None:
        if self.closing:
            return
        self.closing = True
        log.info("live socket %s dropped: %s", self.channel_name, why)
        if self.writer is not None and self.writer is not asyncio.current_task():
            self.writer.cancel()
        asyncio.get_running_loop().create_task(self._close_slow())

    async def _close_slow(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.close(code=CLOSE_TOO_SLOW), send_timeout())
        await self._leave()

    async def _write(self) -> None:
        timeout = send_timeout()
        while True:
            text = await self.outbox.get()
            try:
                await asyncio.wait_for(self.send(text_data=text), timeout)
            except TimeoutError:
                self._drop("send timed out")
                return
