# SPDX-License-Identifier: AGPL-3.0-or-later
"""What boards are called on pages, in the CMS and in the API: one set of labels."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import Contest
from .ranking import Board

SCOPE_LABELS = {
    "everyone": _("Everyone"),
    "employees": _("Employees"),
    "partners": _("Partners"),
    "orgs": _("Partner organisations"),
}
PERIOD_LABELS = {
    "week": _("This week"),
    "month": _("This month"),
    "quarter": _("This quarter"),
    "all": _("All time"),
}
METRIC_LABELS = {
    # Points earned in the board's period: not the balance to spend, not tier points.
    "points": pgettext_lazy("board metric", "Board score"),
    "qualified": _("Qualified leads"),
    "won": _("Won deals"),
}


def board_label(board: Board) -> str:
    """A board's scope as people read it (the boards page's tab names)."""
    from portal.accounts.models import Team

    scope = board.scope
    if scope in SCOPE_LABELS:
        return str(SCOPE_LABELS[scope])
    kind, _sep, pk = scope.partition(":")
    if kind == "team":
        team = Team.objects.filter(pk=int(pk)).first()
        return gettext("Team %(name)s") % {"name": team.name if team else "?"}
    contest = Contest.objects.filter(pk=int(pk)).first()
    return contest.name if contest else "?"


def board_exists(board: Board) -> bool:
    """A contest board exists while its contest does, with one period: the contest's own."""
    if not board.scope.startswith("contest:"):
        return True
    return board.period == "all" and Contest.objects.filter(pk=board.scope.split(":")[1]).exists()
