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

from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.display import (
    Audience,
    audience_of,
    display_record,
    name_from_record,
    person_name,
    person_name_for,
)
from portal.accounts.models import Team, User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, has_role, roles_of
from portal.rewards.models import TierStatus

from . import store
from .models import Contest, Eligibility, Shoutout, TVScreen
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
    if contest.eligibility == Eligibility.PROFILE:
        return participant.pk in store.profile_members(contest)
    if contest.eligibility == Eligibility.TIER:
        return (
            contest.tier_id is not None
            and TierStatus.objects.filter(participant=participant, tier_id=contest.tier_id).exists()
        )
    return True


# --- Who may see a board -------------------------------------------------------------------


def board_visible_to(*, user: Viewer, board: Board) -> bool:
    """Staff see every company board; employees the company boards and their own team's;
    partners the boards of partners (and everyone's, where employees appear by initials).
    A contest's board is seen by those its eligibility admits, the managers of a team
    contest's team, and reviewers and finance (who oversee contests); the page and the
    socket both ask here."""
    roles = roles_of(user=user)
    if not roles or not isinstance(user, User):
        return False  # an anonymous viewer has no roles
    scope = board.scope
    if scope.startswith("contest:"):
        return _contest_board_visible_to(user=user, roles=roles, contest_key=scope[8:])
    if roles & {Role.REVIEWER, Role.FINANCE, Role.MANAGER} and not scope.startswith("team:"):
        return True
    if scope.startswith("team:"):
        team_id = int(scope.split(":", 1)[1])
        return user.team_id == team_id or Team.objects.filter(pk=team_id, managers=user).exists()
    if Role.PARTNER_USER in roles:
        return scope in {"everyone", "partners", "orgs"}
    return scope in {"everyone", "employees", "orgs"}


def _contest_board_visible_to(*, user: User, roles: frozenset[Role], contest_key: str) -> bool:
    if not (contest_key.isascii() and contest_key.isdecimal()):
        return False
    contest = Contest.objects.filter(pk=int(contest_key)).first()
    if contest is None:
        return False
    if roles & {Role.REVIEWER, Role.FINANCE}:
        return True
    if (
        contest.eligibility == Eligibility.TEAM
        and contest.team_id is not None
        and Team.objects.filter(pk=contest.team_id, managers=user).exists()
    ):
        return True
    return contest_eligible(contest=contest, participant=user)


def boards_visible_to(*, user: User) -> list[Board]:
    """Every current board ``user`` may see (what a TV screen of theirs may show)."""
    return [board for board in all_boards() if board_visible_to(user=user, board=board)]


def board_audience(*, board: Board) -> Audience:
    """Who looks at a board shown without a viewer (a TV screen, a push to its group):
    partners if partners may see the board, else staff. A screen in a lobby is seen by
    whoever the board is for; a board partners never see may show employees' names."""
    scope = board.scope
    if scope in {"everyone", "partners", "orgs"}:
        return Audience.PARTNER
    if scope.startswith("contest:"):
        key = scope[8:]
        contest = (
            Contest.objects.filter(pk=int(key)).first()
            if key.isascii() and key.isdecimal()
            else None
        )
        if contest is None or contest.eligibility in {
            Eligibility.EVERYONE,
            Eligibility.PARTNERS,
            Eligibility.TIER,
            Eligibility.PROFILE,
        }:
            return Audience.PARTNER
    return Audience.STAFF


def tv_screens_visible_to(*, user: User) -> QuerySet[TVScreen]:
    """The screens ``user`` may see and revoke: a reviewer all of them, anyone else their own."""
    if has_role(user=user, roles=(Role.REVIEWER,)):
        return TVScreen.objects.all()
    return TVScreen.objects.filter(created_by=user)


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


def _records(*, board: Board, ids: Iterable[int], cached: dict[int, str]) -> dict[int, str]:
    """Display records of ``ids``: those Redis returned, the rest from the database (and
    then kept in Redis, so the next read needs no SQL)."""
    missing = [i for i in ids if i not in cached]
    if not missing:
        return cached
    records = dict(cached)
    found = name_records(by_organisation=board.by_organisation, ids=missing)
    records.update(found)
    current = store.current_store()
    if isinstance(current, store.RedisStore):
        current.remember_names(board.by_organisation, found)
    return records


def _names(
    *,
    board: Board,
    ids: list[int],
    viewer: Viewer | None,
    cached: dict[int, str] | None = None,
    audience: Audience | None = None,
) -> dict[int, str]:
    return _names_for(
        board=board,
        records=_records(board=board, ids=ids, cached=cached or {}),
        audience=audience if audience is not None else audience_of(viewer=viewer),
    )


def _names_for(*, board: Board, records: dict[int, str], audience: Audience) -> dict[int, str]:
    if board.by_organisation:
        return records
    return {i: name_from_record(record=r, audience=audience) for i, r in records.items()}


# --- Board rows ------------------------------------------------------------------------------


def board_rows(
    *, board: Board, viewer: Viewer | None, n: int = 50, audience: Audience | None = None
) -> list[dict]:
    """The top N rows as ``viewer`` may see them (``None``: as an anonymous partner), or as
    ``audience`` sees them when given (a TV screen: ``board_audience``)."""
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        rows, _me, _around, cached = current.page(board, n, None, 0)
    else:
        rows = current.top(board, n)
    names = _names(
        board=board,
        ids=[r.participant_id for r in rows],
        viewer=viewer,
        cached=cached,
        audience=audience,
    )
    return [
        {
            "rank": r.rank,
            "id": r.participant_id,
            "name": names.get(r.participant_id, "?"),
            "total": r.total,
        }
        for r in rows
    ]


def board_rows_by_audience(*, board: Board, n: int) -> dict[Audience, list[dict]]:
    """The top N rows as each audience sees them, from one store read (live pushes and
    snapshots encode each audience's rows once)."""
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        rows, _me, _around, cached = current.page(board, n, None, 0)
    else:
        rows = current.top(board, n)
    records = _records(board=board, ids=[r.participant_id for r in rows], cached=cached)
    result = {}
    for audience in Audience:
        names = _names_for(board=board, records=records, audience=audience)
        result[audience] = [
            {
                "rank": r.rank,
                "id": r.participant_id,
                "name": names.get(r.participant_id, "?"),
                "total": r.total,
            }
            for r in rows
        ]
    return result


def board_page(*, board: Board, viewer: User, n: int = 50, k: int = 2) -> dict[str, Any]:
    """Top N and the viewer's rank with neighbours, in one store round trip where possible."""
    member_id = viewer.partner_organisation_id if board.by_organisation else viewer.pk
    top, me, around, cached = store.current_store().page(board, n, member_id, k)
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


# --- Shout-outs ------------------------------------------------------------------------------


def shoutouts_shown(
    *, viewer: Viewer | None = None, audience: Audience | None = None, n: int = 10
) -> list[dict]:
    """The latest shout-outs with their people named as ``viewer`` (or, on a TV screen,
    ``audience``) may see them (``portal.accounts.display``): a partner reads an employee's
    initials on the boards page, the TV ticker and the shout-out card alike."""
    items = Shoutout.objects.select_related("author", "about")[:n]

    def name(person: User) -> str:
        if audience is not None:
            return person_name(person=person, audience=audience)
        return person_name_for(person=person, viewer=viewer)

    return [
        {
            "about": name(s.about),
            "author": name(s.author),
            "message": s.message,
            "created_at": s.created_at,
        }
        for s in items
    ]
