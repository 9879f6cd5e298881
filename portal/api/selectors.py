# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the API: tokens, and who may manage an organisation's integration keys."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from leaderboard.labels import board_label
from leaderboard.models import Contest
from leaderboard.ranking import METRICS, PERIODS, Board
from leaderboard.selectors import board_page, board_visible_to
from leaderboard.store import Row
from portal.accounts.models import PartnerOrganisation, Team, User
from portal.accounts.roles import Role
from portal.accounts.selectors import roles_of

from .models import ApiToken


def personal_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens (not organisation integration keys)."""
    return ApiToken.objects.filter(user=user, organisation__isnull=True)


def can_manage_integration_keys(*, user: User, organisation: PartnerOrganisation) -> bool:
    """Reviewers, for every organisation; a partner admin, for their own."""
    roles = roles_of(user=user)
    if Role.REVIEWER in roles:
        return True
    return Role.PARTNER_ADMIN in roles and user.partner_organisation_id == organisation.pk


def integration_keys_of(*, organisation: PartnerOrganisation) -> QuerySet[ApiToken]:
    """The organisation's integration keys, with their users and creators."""
    return ApiToken.objects.filter(organisation=organisation).select_related("user", "created_by")


def integration_key_candidates(*, organisation: PartnerOrganisation) -> QuerySet[User]:
    """The members an integration key may act as: the organisation's active users."""
    return User.objects.filter(partner_organisation=organisation, is_active=True).order_by(
        "-is_partner_admin", "last_name", "email"
    )


# --- Boards --------------------------------------------------------------------------------

STANDARD_SCOPES = ("everyone", "employees", "partners", "orgs")
CONTEST_VISIBLE_DAYS = 60  # as long as the rebuild keeps a closed contest's board


def boards_visible_to(*, user: User) -> list[tuple[Board, str]]:
    """Every board the user may open, with its label: the company-wide boards their role
    sees, their own and managed teams' boards, and contests (current or recently ended)."""
    labels: dict[str, str] = {}
    scopes = [s for s in STANDARD_SCOPES if board_visible_to(user=user, board=Board(s))]
    for team in Team.objects.filter(Q(pk=user.team_id) | Q(managers=user)).distinct():
        scope = f"team:{team.pk}"
        if board_visible_to(user=user, board=Board(scope)):
            scopes.append(scope)
            labels[scope] = _("Team %(name)s") % {"name": team.name}
    boards = [
        (Board(s, m, p), labels.get(s) or board_label(Board(s)))
        for s in scopes
        for m in METRICS
        for p in PERIODS
    ]
    since = timezone.now() - timedelta(days=CONTEST_VISIBLE_DAYS)
    for contest in Contest.objects.filter(ends_at__gte=since).order_by("-starts_at", "pk"):
        for metric in METRICS:
            board = Board(contest.board_scope, metric, "all")
            if board_visible_to(user=user, board=board):
                boards.append((board, contest.name))
    return boards


def ranks_of(*, user: User, metric: str, period: str) -> list[tuple[Board, str, Row | None]]:
    """The user's rank on each company-wide board they see (and their team's), for one
    metric and period. A partner's rank on ``orgs`` boards is their organisation's."""
    scopes = [
        s
        for s in STANDARD_SCOPES
        if board_visible_to(user=user, board=Board(s))
        and (s != "orgs" or user.partner_organisation_id)
    ]
    if user.team_id:
        scopes.append(f"team:{user.team_id}")
    ranks = []
    for scope in scopes:
        board = Board(scope, metric, period)
        ranks.append(
            (board, board_label(board), board_page(board=board, viewer=user, n=1, k=0)["me"])
        )
    return ranks
