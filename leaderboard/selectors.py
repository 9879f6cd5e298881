# SPDX-License-Identifier: AGPL-3.0-or-later
"""Board reads: who may see a board, how people appear on it, and the board's rows.

Pure reads: nothing here writes to the database (the one exception is warming Redis's
display-name cache for names it did not have). Every public function takes keyword-only
arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from portal.accounts.display import (
    Audience,
    audience_of,
    display_record,
    name_from_record,
)
from portal.accounts.models import Team, User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, roles_of
from portal.rewards.models import TierStatus

from . import store
from .models import Contest, Eligibility, TVScreen
from .ranking import METRICS, PERIODS, Board

# --- Which boards exist, who takes part ----------------------------------------------------


def all_boards() -> list[Board]:
    """Every current board: the company-wide scopes, each team's, and the contests that
    ended less than 60 days ago (their boards are kept that long). Reads teams and contests."""
    scopes = ["everyone", "employees", "partners", "orgs"] + [
        f"team:{t}" for t in Team.objects.values_list("pk", flat=True)
    ]
    boards = [Board(s, m, p) for s in scopes for m in METRICS for p in PERIODS]
    recent = timezone.now() - timedelta(days=60)
    for contest in Contest.objects.filter(ends_at__gte=recent):
        boards += [Board(contest.board_scope, m, "all") for m in METRICS]
    return boards


def contest_eligible(*, contest: Contest, participant: User) -> bool:
    """Whether the participant takes part in the contest (one query for a tier contest)."""
    if contest.eligibility == Eligibility.EMPLOYEES:
        return participant.partner_organisation_id is None
    if contest.eligibility == Eligibility.PARTNERS:
        return participant.partner_organisation_id is not None
    if contest.eligibility == Eligibility.TEAM:
        return participant.team_id == contest.team_id
    if contest.eligibility == Eligibility.TIER:
        return (
            contest.tier_id is not None
            and TierStatus.objects.filter(participant=participant, tier_id=contest.tier_id).exists()
        )
    return True


# --- Who may see a board -------------------------------------------------------------------


def board_visible_to(*, user: Viewer, board: Board) -> bool:
    """Staff see every board; employees the company boards and their own team's; partners
    the boards of partners (and everyone's, where employees appear by initials)."""
    roles = roles_of(user=user)
    if not roles:
        return False
    if roles & {Role.REVIEWER, Role.FINANCE, Role.MANAGER} and not board.scope.startswith("team:"):
        return True
    scope = board.scope
    if not isinstance(user, User):
        return False  # roles above: an anonymous viewer has none
    if scope.startswith("team:"):
        team_id = int(scope.split(":", 1)[1])
        return user.team_id == team_id or Team.objects.filter(pk=team_id, managers=user).exists()
    if scope.startswith("contest:"):
        return True
    if Role.PARTNER_USER in roles:
        return scope in {"everyone", "partners", "orgs"}
    return scope in {"everyone", "employees", "orgs"}


def tv_token_hash(*, token: str) -> str:
    """What a TV screen's link token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def tv_screen_for_token(*, token: str | None) -> TVScreen | None:
    """The unrevoked screen a TV link's token opens, or None."""
    if not token:
        return None
    return TVScreen.objects.filter(
        token_hash=tv_token_hash(token=token), revoked_at__isnull=True
    ).first()


# --- How people appear -----------------------------------------------------------------------


def name_record(*, person: User) -> str:
    """A person's display record (``portal.accounts.display``)."""
    return display_record(person=person)


def name_records(*, by_organisation: bool, ids: Iterable[int]) -> dict[int, str]:
    """Display records from the database: an organisation's name, or for a person
    "public name<TAB>initials<TAB>E|P" (E: employee), so viewers' rules apply later."""
    if by_organisation:
        from portal.accounts.models import PartnerOrganisation

        return dict(PartnerOrganisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = User.objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "email", "show_initials_only", "partner_organisation_id"
    )
    records = {}
    for pk, first, last, email, initials_only, org in rows:
        person = User(
            pk=pk, first_name=first, last_name=last, email=email, show_initials_only=initials_only
        )
        person.partner_organisation_id = org
        records[pk] = display_record(person=person)
    return records


def _display(record: str, *, by_organisation: bool, audience: Audience) -> str:
    if by_organisation:
        return record
    return name_from_record(record=record, audience=audience)


def _names(
    *, board: Board, ids: list[int], viewer: Viewer | None, cached: dict[int, str] | None = None
) -> dict[int, str]:
    records = dict(cached or {})
    missing = [i for i in ids if i not in records]
    if missing:
        found = name_records(by_organisation=board.by_organisation, ids=missing)
        records.update(found)
        current = store.current_store()
        if isinstance(current, store.RedisStore):
            current.remember_names(board.by_organisation, found)
    audience = audience_of(viewer=viewer)
    return {
        i: _display(records[i], by_organisation=board.by_organisation, audience=audience)
        for i in ids
        if i in records
    }


# --- Board rows ------------------------------------------------------------------------------


def board_rows(*, board: Board, viewer: Viewer | None, n: int = 50) -> list[dict[str, Any]]:
    """The top N rows as ``viewer`` may see them (``None``: as a TV screen sees them)."""
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        rows, _me, _around, cached = current.page(board, n, None, 0)
    else:
        rows = current.top(board, n)
    names = _names(board=board, ids=[r.participant_id for r in rows], viewer=viewer, cached=cached)
    return [
        {
            "rank": r.rank,
            "id": r.participant_id,
            "name": names.get(r.participant_id, "?"),
            "total": r.total,
        }
        for r in rows
    ]


def board_page(*, board: Board, viewer: User, n: int = 50, k: int = 2) -> dict[str, Any]:
    """Top N and the viewer's rank with neighbours, in one store round trip where possible."""
    member_id = viewer.partner_organisation_id if board.by_organisation else viewer.pk
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        top, me, around, cached = current.page(board, n, member_id, k)
    else:
        top = current.top(board, n)
        me, around = current.around(board, member_id, k)
    names = _names(
        board=board,
        ids=list({r.participant_id for r in top + around}),
        viewer=viewer,
        cached=cached,
    )

    def out(rows: list[store.Row]) -> list[dict[str, Any]]:
        return [
            {
                "rank": r.rank,
                "id": r.participant_id,
                "name": names.get(r.participant_id, "?"),
                "total": r.total,
            }
            for r in rows
        ]

    return {
        "board": board,
        "top": out(top),
        "me": me,
        "around": out(around),
        "member_id": member_id,
    }
