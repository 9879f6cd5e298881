# SPDX-License-Identifier: AGPL-3.0-or-later
"""The figures a referrer's dashboard shows, read in one place: the page renders them and
the live push (``portal.dashboards.handlers``) sends the same figures, so what a page shows
on load and what it shows after a live update come from one reading and always agree."""

from __future__ import annotations

from typing import Any

from leaderboard.ranking import Board
from leaderboard.selectors import board_page
from portal.accounts.models import User
from portal.accounts.selectors import is_partner
from portal.leads.selectors import lead_counts_for, leads_visible_to
from portal.rewards.selectors import participant_summary


def dashboard_board(*, user: User) -> Board:
    """The board a referrer's dashboard shows: this month's points of their audience."""
    return Board("partners" if is_partner(user=user) else "everyone", "points", "month")


def referrer_figures(*, user: User) -> dict[str, Any]:
    """Balance, tier progress, milestones, lead counts, the latest referrals and the board
    widget (top 5 and the person's rank), as one reading. Read only."""
    rewards = participant_summary(participant=user)
    board = dashboard_board(user=user)
    return {
        "board_widget": {**board_page(board=board, viewer=user, n=5, k=1), "label": board.id},
        "balance": rewards["balance"],
        "tiers": rewards["tiers"],
        "milestones": rewards["milestones"],
        "counts": lead_counts_for(user=user),
        "recent_leads": list(leads_visible_to(user=user).filter(referrer=user)[:5]),
    }


def figures_numbers(*, figures: dict[str, Any]) -> dict[str, Any]:
    """The plain numbers of ``referrer_figures`` (for the live payload and the API of the
    page's script): balance, tier, board rank and score, counts, lead statuses. Pure."""
    tier = next(iter(figures["tiers"]), None)
    me = figures["board_widget"]["me"]
    return {
        "balance": figures["balance"],
        "tier": tier["tier"].name if tier and tier["tier"] else "",
        "tier_percent": tier["percent"] if tier else 0,
        "board": figures["board_widget"]["board"].id,
        "rank": me.rank if me else None,
        "board_score": me.total if me else 0,
        "counts": dict(figures["counts"]),
        "leads": {str(lead.pk): lead.status for lead in figures["recent_leads"]},
    }
