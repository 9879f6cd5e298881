# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from leaderboard.consumers import CLOSE_UNAUTHENTICATED, LIVE_GROUP
from portal.asgi import application
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


@sync_to_async
def _session_cookie() -> bytes:
    client = Client()
    client.force_login(UserFactory())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def test_logged_in_user_is_accepted_and_receives_live_events():
    cookie = await _session_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[*HEADERS, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    try:
        assert connected
        assert (await communicator.receive_json_from())["type"] == "hello"
        await get_channel_layer().group_send(
            LIVE_GROUP, {"type": "live.event", "payload": {"type": "toast", "text": "Well done!"}}
        )
        assert await communicator.receive_json_from(timeout=3) == {
            "type": "toast",
            "text": "Well done!",
        }
    finally:
        await communicator.disconnect()


async def test_anonymous_socket_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=HEADERS)
    connected, code = await communicator.connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED
    await communicator.disconnect()


async def test_socket_from_a_foreign_origin_is_refused():
    cookie = await _session_cookie()
    headers = [(b"origin", b"http://evil.example"), (b"host", b"localhost"), (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_socket_over_redis_stays_open_through_ten_seconds_of_silence():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI sets it); the embedded layer has no socket timeout")
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    cookie = await _session_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[*HEADERS, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    try:
        assert connected
        await communicator.receive_json_from()
        await asyncio.sleep(11)
        assert await communicator.receive_nothing(timeout=0.1)  # not closed in the meantime
        await get_channel_layer().group_send(
            LIVE_GROUP, {"type": "live.event", "payload": {"type": "toast", "text": "still here"}}
        )
        assert (await communicator.receive_json_from(timeout=3))["text"] == "still here"
    finally:
        await communicator.disconnect()
