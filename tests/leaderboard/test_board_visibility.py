# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who may see which board (leaderboard.selectors.board_visible_to), role by scope."""

from __future__ import annotations

import pytest

from leaderboard.ranking import Board
from leaderboard.selectors import board_visible_to
from portal.accounts.roles import Role
from tests.factories import TeamFactory, UserFactory, give_role

SCOPES = ["everyone", "employees", "partners", "orgs"]


def _board(scope: str) -> Board:
    return Board(scope=scope, metric="points", period="month")


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("employee", {"everyone", "employees", "orgs"}),
        ("partner_user", {"everyone", "partners", "orgs"}),
        ("partner_admin", {"everyone", "partners", "orgs"}),
        ("manager", set(SCOPES)),
        ("reviewer", set(SCOPES)),
        ("finance", set(SCOPES)),
    ],
)
def test_company_boards_by_role(request, persona, visible):
    user = request.getfixturevalue(persona)
    assert {s for s in SCOPES if board_visible_to(user=user, board=_board(s))} == visible


def test_nobody_without_a_role_sees_a_board(outsider):
    assert not any(board_visible_to(user=outsider, board=_board(s)) for s in SCOPES)


def test_a_team_board_is_for_its_members_and_managers_only(employee, manager, reviewer):
    own = _board(f"team:{employee.team_id}")
    other_team = TeamFactory()
    other = _board(f"team:{other_team.pk}")
    assert board_visible_to(user=employee, board=own)
    assert not board_visible_to(user=employee, board=other)
    assert board_visible_to(user=manager, board=own)
    assert not board_visible_to(user=manager, board=other)
    assert not board_visible_to(user=reviewer, board=own)  # staff powers stop at teams
    other_manager = give_role(UserFactory(), Role.MANAGER)
    other_team.managers.add(other_manager)
    assert board_visible_to(user=other_manager, board=other)
    assert not board_visible_to(user=other_manager, board=own)
