# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one live socket of a page: what it joins, what each audience sees, back-pressure,
snapshots on (re)connect and Redis going away."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import pytest
import redis.exceptions as redis_errors
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from leaderboard import hub
from leaderboard.hub import CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED, CLOSE_UNAVAILABLE
from leaderboard.push import board_group, live_group, toast
from leaderboard.services import board_push, shoutout_post
from portal.accounts.display import Audience
from portal.accounts.roles import Role
from portal.asgi import application
from portal.rewards.services import ledger_add
from tests.factories import PartnerUserFactory, UserFactory, give_role

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
BOARD = "everyone.points.month"


@pytest.fixture(autouse=True)
def _no_cached_snapshots():
    hub._snapshots.clear()
    yield
    hub._snapshots.clear()


@sync_to_async
def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _open(user, path: str = f"/ws/live/?board={BOARD}", app=application):
    headers = list(HEADERS)
    if user is not None:
        headers.append((b"cookie", await _cookie(user)))
    socket_ = WebsocketCommunicator(app, path, headers=headers)
    connected, code = await socket_.connect(timeout=30)
    return socket_, connected, code


async def _texts(socket_, timeout: float = 0.5) -> list[str]:
    """Every text the socket received until it stays quiet for ``timeout``."""
    got = []
    while not await socket_.receive_nothing(timeout):
        message = await socket_.receive_output()
        if message["type"] == "websocket.send":
            got.append(message["text"])
        elif message["type"] == "websocket.close":
            got.append(f"closed {message.get('code')}")
            return got
    return got


def _kinds(texts: list[str]) -> list[str]:
    return [json.loads(t)["type"] if t.startswith("{") else t for t in texts]


async def test_a_page_opens_one_socket_with_its_board_and_gets_one_toast_per_event():
    rita = await sync_to_async(UserFactory)(first_name="Rita", last_name="Rival")
    viewer = await sync_to_async(UserFactory)()
    await sync_to_async(ledger_add)(participant=rita, amount=40, event="adjustment", reason="t")
    page, connected, _ = await _open(viewer)
    assert connected
    try:
        first = await _texts(page)
        assert _kinds(first) == ["hello", "board"]
        snapshot = json.loads(first[1])
        assert snapshot["snapshot"] and snapshot["set"]["1"] == [rita.pk, "Rita Rival", 40]
        # A win celebrated once reaches the page once, on the same socket as the board.
        await sync_to_async(toast)(kind="won", text_for=lambda a: "Rita just won a deal!")
        await sync_to_async(ledger_add)(
            participant=viewer, amount=90, event="adjustment", reason="t"
        )
        texts = await _texts(page)
        assert _kinds(texts).count("toast") == 1
        diffs = [json.loads(t) for t in texts if json.loads(t)["type"] == "board"]
        assert diffs and diffs[-1]["set"]["1"][0] == viewer.pk
    finally:
        await page.disconnect()


async def test_a_partner_socket_never_carries_an_employees_full_name():
    employee = await sync_to_async(UserFactory)(first_name="Erika", last_name="Employee")
    manager = await sync_to_async(lambda: give_role(UserFactory(), Role.MANAGER))()
    partner = await sync_to_async(PartnerUserFactory)(first_name="Paula", last_name="Partner")
    await sync_to_async(ledger_add)(participant=employee, amount=50, event="adjustment", reason="t")
    partner_page, ok_partner, _ = await _open(partner)
    staff_page, ok_staff, _ = await _open(manager)
    assert ok_partner and ok_staff
    try:
        await sync_to_async(shoutout_post)(author=manager, about=employee, message="Great call!")
        await sync_to_async(ledger_add)(
            participant=employee, amount=5, event="adjustment", reason="t"
        )
        await sync_to_async(board_push)(board_id=BOARD)
        partner_texts = await _texts(partner_page)
        staff_texts = await _texts(staff_page)
        assert _kinds(partner_texts).count("toast") == 1 and "board" in _kinds(partner_texts)
        assert not any("Erika" in t or "Employee" in t for t in partner_texts)
        assert any('"E.E."' in t or "E.E." in t for t in partner_texts)
        assert any("Erika Employee" in t for t in staff_texts if '"toast"' in t)
        assert any("Erika Employee" in t for t in staff_texts if '"board"' in t)
    finally:
        await partner_page.disconnect()
        await staff_page.disconnect()


async def test_a_broadcast_is_encoded_once_per_audience_not_per_socket():
    viewers = [await sync_to_async(UserFactory)() for _ in range(3)]
    pages = [await _open(v) for v in viewers]
    try:
        texts = await sync_to_async(toast)(kind="won", text_for=lambda a: f"for {a}")
        assert set(texts) == {Audience.STAFF, Audience.PARTNER}
        got = [(await _texts(p))[-1] for p, _c, _x in pages]
        # Every staff socket sent the very string encoded once.
        assert all(g == texts[Audience.STAFF] for g in got)
    finally:
        for p, _c, _x in pages:
            await p.disconnect()


async def test_anonymous_socket_is_refused():
    _socket, connected, code = await _open(None, "/ws/live/")
    assert not connected and code == CLOSE_UNAUTHENTICATED


async def test_socket_from_a_foreign_origin_is_refused():
    cookie = await _cookie(await sync_to_async(UserFactory)())
    headers = [(b"origin", b"http://evil.example"), (b"host", b"localhost"), (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


def _stalled(app, stall: asyncio.Event):
    """The application behind a client that stopped reading: once ``stall`` is set, a
    frame to it never leaves (a full TCP buffer); closing still works."""

    async def wrapped(scope, receive, send):
        async def stalled_send(message):
            if message["type"] == "websocket.send" and stall.is_set():
                await asyncio.Event().wait()
            await send(message)

        return await app(scope, receive, stalled_send)

    return wrapped


async def test_a_client_that_falls_behind_is_dropped_and_the_others_are_not_delayed(settings):
    settings.LIVE_OUTBOX_LIMIT = 5
    slow_user, fast_user = [await sync_to_async(UserFactory)() for _ in range(2)]
    stall = asyncio.Event()
    slow, ok_slow, _ = await _open(slow_user, "/ws/live/", app=_stalled(application, stall))
    fast, ok_fast, _ = await _open(fast_user, "/ws/live/")
    assert ok_slow and ok_fast
    try:
        await _texts(slow, 0.2)
        await _texts(fast, 0.2)
        stall.set()
        layer = get_channel_layer()
        for i in range(12):
            message = {"type": "live.text", "text": json.dumps({"type": "toast", "text": str(i)})}
            await layer.group_send(live_group(Audience.STAFF), message)
        fast_texts = await _texts(fast)
        assert [json.loads(t)["text"] for t in fast_texts] == [str(i) for i in range(12)]
        assert await slow.receive_output(3) == {"type": "websocket.close", "code": CLOSE_TOO_SLOW}
    finally:
        await slow.disconnect()
        await fast.disconnect()


async def test_a_slow_send_that_never_finishes_drops_the_client(settings):
    settings.LIVE_SEND_TIMEOUT = 0.3
    stall = asyncio.Event()
    slow, ok, _ = await _open(
        await sync_to_async(UserFactory)(), "/ws/live/", app=_stalled(application, stall)
    )
    assert ok
    try:
        await _texts(slow, 0.2)
        stall.set()
        await sync_to_async(toast)(kind="won", text_for=lambda a: "hello")
        assert await slow.receive_output(3) == {"type": "websocket.close", "code": CLOSE_TOO_SLOW}
    finally:
        await slow.disconnect()


async def test_a_reconnecting_page_gets_the_current_board_not_the_diffs_it_missed():
    viewer = await sync_to_async(UserFactory)()
    people = [await sync_to_async(UserFactory)() for _ in range(3)]
    page, _ok, _ = await _open(viewer)
    await _texts(page)
    await page.disconnect()
    # While the page is away, the board moves three times.
    for points, person in zip((10, 20, 30), people, strict=True):
        await sync_to_async(ledger_add)(
            participant=person, amount=points, event="adjustment", reason="t"
        )
    again, ok, _ = await _open(viewer)
    assert ok
    try:
        texts = await _texts(again)
        assert _kinds(texts) == ["hello", "board"]  # one snapshot, no backlog of diffs
        snapshot = json.loads(texts[1])
        assert [row[0] for _rank, row in sorted(snapshot["set"].items())] == [
            people[2].pk,
            people[1].pk,
            people[0].pk,
        ]
    finally:
        await again.disconnect()


async def test_a_herd_of_reconnects_reads_the_board_once():
    viewer = await sync_to_async(UserFactory)()
    await sync_to_async(ledger_add)(participant=viewer, amount=10, event="adjustment", reason="t")
    calls = []
    from leaderboard import selectors

    real = selectors.board_rows_by_audience

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    selectors.board_rows_by_audience = counting
    started = time.monotonic()
    try:
        pages = await asyncio.gather(*(_open(viewer) for _ in range(20)))
        elapsed = time.monotonic() - started
        for p, ok, _ in pages:
            assert ok
            assert _kinds(await _texts(p, 0.1))[-1] == "board"
            await p.disconnect()
    finally:
        selectors.board_rows_by_audience = real
    # At most one read of the board per SNAPSHOT_SECONDS, however many sockets connect.
    assert 1 <= len(calls) <= 1 + int(elapsed / hub.SNAPSHOT_SECONDS)
    assert len(calls) < 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Redis:
    """A Redis server of the test's own, to stop and start again."""

    def __init__(self):
        self.port = _free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


async def test_with_redis_away_the_socket_says_unavailable_and_resumes_when_it_is_back(settings):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    redis = _Redis()
    await sync_to_async(redis.start)()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": f"redis://127.0.0.1:{redis.port}/0",
                        "socket_timeout": None,
                        "max_connections": 2000,
                    }
                ],
                "prefix": "vouch:test-away",
            },
        }
    }
    viewer = await sync_to_async(UserFactory)()
    try:
        page, ok, _ = await _open(viewer)
        assert ok
        assert _kinds(await _texts(page))[0] == "hello"
        await sync_to_async(redis.stop)()
        # A push with Redis away fails quietly (the action that caused it succeeds).
        await sync_to_async(toast)(kind="won", text_for=lambda a: "lost")
        # The open socket's receive loop fails: the server closes it (1011).
        with pytest.raises(redis_errors.ConnectionError):
            await page.receive_output(3)
        refused, ok, code = await _open(viewer)
        assert not ok and code == CLOSE_UNAVAILABLE
        await sync_to_async(redis.start)()
        back, ok, _ = await _open(viewer)
        assert ok
        assert _kinds(await _texts(back))[:2] == ["hello", "board"]
        await sync_to_async(toast)(kind="won", text_for=lambda a: "back")
        assert json.loads((await _texts(back))[-1])["text"] == "back"
        await back.disconnect()
    finally:
        await sync_to_async(redis.stop)()


async def test_socket_over_redis_stays_open_through_ten_seconds_of_silence():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI sets it); the embedded layer has no socket timeout")
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    page, connected, _ = await _open(await sync_to_async(UserFactory)(), "/ws/live/")
    try:
        assert connected
        await _texts(page, 0.2)
        await asyncio.sleep(11)
        assert await page.receive_nothing(timeout=0.1)  # not closed in the meantime
        await get_channel_layer().group_send(
            live_group(Audience.STAFF),
            {"type": "live.text", "text": '{"type":"toast","text":"still here"}'},
        )
        assert json.loads((await _texts(page))[-1])["text"] == "still here"
    finally:
        await page.disconnect()


async def test_group_names_are_valid_channel_group_names():
    from channels.layers import BaseChannelLayer

    layer = BaseChannelLayer()
    for audience in Audience:
        assert layer.require_valid_group_name(board_group("contest:12.points.all", audience))
        assert layer.require_valid_group_name(live_group(audience))


async def test_a_page_that_connects_right_after_a_push_gets_the_board_after_it():
    """The process keeps a board's snapshot a second; a diff of the board passing through
    it makes it read the board again, so a page arriving just then is not behind."""
    viewer, climber = [await sync_to_async(UserFactory)() for _ in range(2)]
    await sync_to_async(ledger_add)(participant=viewer, amount=10, event="adjustment", reason="t")
    first, ok, _ = await _open(viewer)
    assert ok
    try:
        await _texts(first)  # its snapshot is now kept
        await sync_to_async(ledger_add)(
            participant=climber, amount=50, event="adjustment", reason="t"
        )
        assert "board" in _kinds(await _texts(first))  # the diff went through
        second, ok, _ = await _open(viewer)
        texts = await _texts(second)
        await second.disconnect()
        assert json.loads(texts[1])["set"]["1"][0] == climber.pk
    finally:
        await first.disconnect()
