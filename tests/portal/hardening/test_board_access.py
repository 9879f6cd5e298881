# SPDX-License-Identifier: AGPL-3.0-or-later
"""Object-level checks on boards: TV screens and contest boards (page and socket)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leaderboard.hub import CLOSE_FORBIDDEN
from leaderboard.models import Contest, TVScreen
from leaderboard.screens import tv_screen_create
from portal.accounts.roles import Role
from portal.asgi import application
from portal.audit.models import AuditEvent
from tests.factories import PartnerUserFactory, TeamFactory, UserFactory, give_role

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def _contest(**kw) -> Contest:
    now = timezone.now()
    return Contest.objects.create(
        name=kw.pop("name", "Spring push"),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=10),
        prizes="A trophy",
        **kw,
    )


def test_a_manager_cannot_put_another_teams_board_on_a_screen(client, manager):
    other_team = TeamFactory()
    private = f"team:{other_team.pk}.points.month"
    with pytest.raises(ValidationError, match="may not show"):
        tv_screen_create(actor=manager, name="Spy", boards=private)
    client.force_login(manager)
    page = client.get(reverse("leaderboard:tv_screens")).content.decode()
    assert private not in page  # not even offered
    response = client.post(
        reverse("leaderboard:tv_screens"),
        {"name": "Spy", "boards": [private], "rotate_seconds": 20},
    )
    assert response.status_code == 200 and not TVScreen.objects.exists()


def test_a_manager_picks_from_the_boards_they_see(client, manager, employee):
    own = f"team:{employee.team_id}.points.month"
    client.force_login(manager)
    page = client.get(reverse("leaderboard:tv_screens")).content.decode()
    assert own in page and "everyone.points.month" in page
    client.post(
        reverse("leaderboard:tv_screens"),
        {"name": "Team wall", "boards": [own, "everyone.points.month"], "rotate_seconds": 20},
    )
    assert TVScreen.objects.get().board_ids == [own, "everyone.points.month"]


def test_a_manager_cannot_revoke_another_managers_screen(client, manager):
    owner = give_role(UserFactory(), Role.MANAGER)
    screen, token = tv_screen_create(actor=owner, name="Lobby", boards="everyone.points.month")
    client.force_login(manager)
    assert client.get(reverse("leaderboard:tv_screens")).content.decode().count("Lobby") == 0
    response = client.post(reverse("leaderboard:tv_screen_revoke", args=[screen.pk]))
    assert response.status_code == 404
    screen.refresh_from_db()
    assert screen.revoked_at is None
    assert not AuditEvent.objects.filter(action="tv.revoked").exists()
    assert client.get(reverse("leaderboard:tv") + f"?token={token}").status_code == 200


def test_the_creator_or_a_reviewer_revokes(client, manager, reviewer):
    mine, _ = tv_screen_create(actor=manager, name="Mine", boards="everyone.points.month")
    theirs, _ = tv_screen_create(actor=manager, name="Theirs", boards="everyone.points.month")
    client.force_login(manager)
    client.post(reverse("leaderboard:tv_screen_revoke", args=[mine.pk]))
    client.force_login(reviewer)
    client.post(reverse("leaderboard:tv_screen_revoke", args=[theirs.pk]))
    assert TVScreen.objects.filter(revoked_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employee", 200), ("manager", 200), ("reviewer", 200), ("partner_user", 403)],
)
def test_a_team_contest_board_is_for_its_team(db, client, request, employee, persona, status):
    contest = _contest(eligibility="team", team=employee.team)
    board = f"{contest.board_scope}.points.all"
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == status
    assert client.get(reverse("leaderboard:board_json", args=[board])).status_code == status


def test_an_employee_of_another_team_does_not_see_the_team_contest(client, employee):
    contest = _contest(eligibility="team", team=employee.team)
    client.force_login(UserFactory(team=TeamFactory()))
    board = f"{contest.board_scope}.points.all"
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 403


def test_partners_do_not_see_an_employees_contest(client, partner_user, employee):
    contest = _contest(eligibility="employees")
    board = f"{contest.board_scope}.points.all"
    client.force_login(partner_user)
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 403
    client.force_login(employee)
    assert client.get(reverse("leaderboard:board", args=[board])).status_code == 200


@sync_to_async
def _cookie(user):
    c = Client()
    c.force_login(user)
    return f"sessionid={c.cookies['sessionid'].value}".encode()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_anyone_outside_a_team_contest_cannot_open_its_socket():
    team = await sync_to_async(TeamFactory)()
    contest = await sync_to_async(_contest)(eligibility="team", team=team)
    path = f"/ws/boards/{contest.board_scope}.points.all/"
    for outsider in [
        await sync_to_async(PartnerUserFactory)(),
        await sync_to_async(UserFactory)(team=await sync_to_async(TeamFactory)()),
    ]:
        socket = WebsocketCommunicator(
            application, path, headers=[*HEADERS, (b"cookie", await _cookie(outsider))]
        )
        connected, code = await socket.connect()
        assert not connected and code == CLOSE_FORBIDDEN
        await socket.disconnect()
    member = await sync_to_async(UserFactory)(team=team)
    socket = WebsocketCommunicator(
        application, path, headers=[*HEADERS, (b"cookie", await _cookie(member))]
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.disconnect()
