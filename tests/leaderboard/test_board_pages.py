# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import http.server
import json
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leaderboard.contests import contest_close
from leaderboard.hub import CLOSE_FORBIDDEN
from leaderboard.models import Contest, Shoutout
from leaderboard.screens import tv_screen_create, tv_screen_revoke
from leaderboard.selectors import tv_screen_for_token
from leaderboard.services import shoutout_post
from leaderboard.tasks import shoutout_to_chat
from portal.accounts.roles import Role
from portal.asgi import application
from portal.rewards.services import ledger_add
from tests.factories import PartnerUserFactory, TeamFactory, UserFactory, give_role

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def test_board_page_shows_ranks_and_my_rank(client, employee, django_capture_on_commit_callbacks):
    rival = UserFactory(first_name="Rita", last_name="Rival")
    with django_capture_on_commit_callbacks(execute=True):
        ledger_add(participant=rival, amount=80, event="adjustment", reason="t")
        ledger_add(participant=employee, amount=30, event="adjustment", reason="t")
    client.force_login(employee)
    html = client.get(reverse("leaderboard:boards")).content.decode()
    assert "Rita Rival" in html and "#2" in html


def test_participants_who_chose_initials_appear_by_initials(
    client, employee, django_capture_on_commit_callbacks
):
    shy = UserFactory(first_name="Sam", last_name="Shy", show_initials_only=True)
    with django_capture_on_commit_callbacks(execute=True):
        ledger_add(participant=shy, amount=10, event="adjustment", reason="t")
    client.force_login(employee)
    html = client.get(reverse("leaderboard:boards")).content.decode()
    assert "S.S." in html and "Sam Shy" not in html


def test_partners_see_employees_by_initials(
    client, partner_user, django_capture_on_commit_callbacks
):
    staffer = UserFactory(first_name="Eva", last_name="Employee")
    with django_capture_on_commit_callbacks(execute=True):
        ledger_add(participant=staffer, amount=10, event="adjustment", reason="t")
    client.force_login(partner_user)
    html = client.get(reverse("leaderboard:board", args=["everyone.points.month"])).content.decode()
    assert "E.E." in html and "Eva Employee" not in html


@pytest.mark.parametrize(
    ("persona", "board", "status"),
    [
        ("partner_user", "employees.points.month", 403),
        ("employee", "partners.points.month", 403),
        ("partner_user", "team:999.points.month", 403),
        ("employee", "everyone.points.week", 200),
        ("partner_user", "orgs.points.all", 200),
        ("reviewer", "partners.won.quarter", 200),
        ("employee", "team:abc.points.month", 404),  # a malformed scope is unknown, not a 500
        ("reviewer", "somewhere.points.month", 404),
        ("reviewer", "contest:.points.all", 404),
        ("reviewer", "contest:999999.points.all", 404),  # no such contest
    ],
)
def test_board_visibility(db, client, request, persona, board, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == status
    assert client.get(reverse("leaderboard:board_json", args=[board])).status_code == status


def test_team_board_is_for_the_team_and_its_manager(client, manager, employee):
    board = f"team:{employee.team_id}.points.month"
    client.force_login(employee)
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 200
    client.force_login(manager)
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 200
    client.force_login(UserFactory(team=TeamFactory()))
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 403


def test_anonymous_visitors_log_in_first(client, db):
    assert client.get(reverse("leaderboard:boards"))["Location"].startswith(
        reverse("account_login")
    )


@sync_to_async
def _cookie(user):
    c = Client()
    c.force_login(user)
    return f"sessionid={c.cookies['sessionid'].value}".encode()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_user_who_may_not_see_a_board_cannot_join_its_socket():
    partner = await sync_to_async(PartnerUserFactory)()
    cookie = await _cookie(partner)
    denied = WebsocketCommunicator(
        application, "/ws/boards/employees.points.month/", headers=[*HEADERS, (b"cookie", cookie)]
    )
    connected, code = await denied.connect()
    assert not connected and code == CLOSE_FORBIDDEN
    await denied.disconnect()
    allowed = WebsocketCommunicator(
        application, "/ws/boards/partners.points.month/", headers=[*HEADERS, (b"cookie", cookie)]
    )
    connected, _ = await allowed.connect()
    assert connected
    assert (await allowed.receive_json_from())["board"] == "partners.points.month"
    await allowed.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_tv_token_opens_its_boards_read_only_until_revoked():
    manager = await sync_to_async(lambda: give_role(UserFactory(), Role.MANAGER))()
    screen, token = await sync_to_async(tv_screen_create)(
        actor=manager, name="Lobby", boards="everyone.points.month"
    )
    socket = WebsocketCommunicator(
        application, f"/ws/boards/everyone.points.month/?tv={token}", headers=HEADERS
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "ping"})  # read-only: it may only ping
    assert (await socket.receive_json_from())["type"] == "hello"
    await socket.disconnect()
    other_board = WebsocketCommunicator(
        application, f"/ws/boards/employees.points.month/?tv={token}", headers=HEADERS
    )
    assert not (await other_board.connect())[0]
    await other_board.disconnect()
    await sync_to_async(tv_screen_revoke)(actor=manager, screen=screen)
    revoked = WebsocketCommunicator(
        application, f"/ws/boards/everyone.points.month/?tv={token}", headers=HEADERS
    )
    assert not (await revoked.connect())[0]
    await revoked.disconnect()


def test_tv_page_with_token_and_after_revocation(client, manager):
    screen, token = tv_screen_create(
        actor=manager, name="Lobby", boards="everyone.points.month,everyone.qualified.quarter"
    )
    page = client.get(reverse("leaderboard:tv") + f"?token={token}")
    assert page.status_code == 200 and b"Vouch TV" in page.content
    assert b"everyone.qualified.quarter" in page.content  # rotates to the next board
    tv_screen_revoke(actor=manager, screen=screen)
    assert client.get(reverse("leaderboard:tv") + f"?token={token}").status_code == 403


def test_only_managers_post_shoutouts(
    client, employee, manager, django_capture_on_commit_callbacks
):
    client.force_login(employee)
    assert client.get(reverse("leaderboard:shoutouts")).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("leaderboard:shoutouts"),
            {"about": employee.pk, "message": "Three referrals this week!"},
        )
    assert Shoutout.objects.get().message == "Three referrals this week!"


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_shoutout_is_posted_to_the_chat_webhook(manager, employee, settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.CHAT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
        before = len(_Hook.received)
        # Posted once the shout-out commits (the task runs inline in tests).
        shout = shoutout_post(author=manager, about=employee, message="Great work")
        assert len(_Hook.received) == before + 1
        assert "Great work" in _Hook.received[-1]["text"]
        shout.refresh_from_db()
        assert shout.posted_to_chat
        assert shoutout_to_chat.run(shout.pk) is False  # not posted twice
    finally:
        server.shutdown()


def test_chat_server_down_keeps_the_shoutout(manager, employee, settings):
    settings.CHAT_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens: connection refused
    # The post after commit fails (and retries later); the shout-out itself is saved.
    shout = shoutout_post(author=manager, about=employee, message="Still saved")
    with pytest.raises(OSError):
        shoutout_to_chat.run(shout.pk)
    shout.refresh_from_db()
    assert shout.message == "Still saved" and not shout.posted_to_chat


def test_contest_closes_with_its_winners_once(db, settings):
    settings.REDIS_URL = ""
    now = timezone.now()
    contest = Contest.objects.create(
        name="November sprint",
        eligibility="employees",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=1),
        prizes="Headphones\nCinema tickets",
    )
    a, b, c = UserFactory(), UserFactory(), PartnerUserFactory()
    ledger_add(participant=a, amount=50, event="adjustment", reason="t")
    ledger_add(participant=b, amount=80, event="adjustment", reason="t")
    ledger_add(participant=c, amount=500, event="adjustment", reason="t")  # not eligible
    winners = contest_close(contest=contest)
    assert [(w["participant"], w["prize"]) for w in winners] == [
        (b.pk, "Headphones"),
        (a.pk, "Cinema tickets"),
    ]
    assert contest_close(contest=contest) == winners


def test_a_name_change_reaches_the_board(
    client, employee, partner_user, django_capture_on_commit_callbacks
):
    from portal.accounts.services import user_update_preferences

    with django_capture_on_commit_callbacks(execute=True):
        ledger_add(participant=employee, amount=10, event="adjustment", reason="t")
    client.force_login(employee)
    assert employee.public_name in client.get(reverse("leaderboard:boards")).content.decode()
    user_update_preferences(
        user=employee, first_name="Zelda", last_name="Zed", language="", show_initials_only=True
    )
    html = client.get(reverse("leaderboard:boards")).content.decode()
    assert "Z.Z." in html and "Zelda Zed" not in html


def test_a_guessed_tv_link_opens_no_screen(client, manager):
    screen, token = tv_screen_create(actor=manager, name="Lobby", boards="everyone.points.month")
    assert tv_screen_for_token(token=token) == screen
    assert tv_screen_for_token(token="not-" + token) is None
    assert client.get(reverse("leaderboard:tv") + "?token=guess").status_code == 403
