# SPDX-License-Identifier: AGPL-3.0-or-later
"""Live data for content pages and blocks, read from the program's configuration.

Each reader returns ``None`` when its data source is gone (a deleted program or contest,
a board the viewer may not see, Redis away): the block then renders a quiet placeholder,
never an error page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from leaderboard.models import Contest
from leaderboard.ranking import Board, period_start
from leaderboard.selectors import (
    board_page,
    board_visible_to,
    name_records,
)
from leaderboard.store import sql_totals
from portal.accounts.display import audience_of, name_from_record, split_record
from portal.leads.models import Program
from portal.leads.selectors import referral_share_links
from portal.rewards.models import LeadEvent, RewardItem, Tier
from portal.rewards.selectors import (
    balance_of,
    catalog_for,
    catalog_with_eligibility,
    points_for,
    tier_progress,
)

log = logging.getLogger(__name__)


def quiet(reader: Callable[..., Any]) -> Callable[..., Any]:
    """A live block must never take the page down: log the failure, render the placeholder."""

    @functools.wraps(reader)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return reader(*args, **kwargs)
        except Exception:
            log.warning("live content block %s failed", reader.__name__, exc_info=True)
            return None

    return wrapper


def _participant(user) -> bool:
    return bool(user and user.is_authenticated)


def board_for_block(user, scope: str, metric: str, period: str) -> Board | None:
    if scope == "my_team":
        if not (_participant(user) and user.team_id):
            return None
        scope = f"team:{user.team_id}"
    return Board(scope, metric, period)


@quiet
def leaderboard_widget(user, *, scope: str, metric: str, period: str, top_n: int) -> dict | None:
    """Top N of a board and the viewer's own rank, for signed-in viewers allowed to see it."""
    if not _participant(user):
        return None
    board = board_for_block(user, scope, metric, period)
    if board is None or not board_visible_to(user=user, board=board):
        return None
    page = board_page(board=board, viewer=user, n=top_n, k=0)
    return {**page, "limit": top_n}


@quiet
def program_for(program_id: int | None) -> Program | None:
    if not program_id:
        return None
    return Program.objects.filter(pk=program_id).first()


@quiet
def tier_table(program: Program | None) -> list[Tier] | None:
    if program is None:
        return None
    return list(Tier.objects.filter(program=program).order_by("threshold")) or None


@quiet
def point_rules(program: Program | None) -> list[dict] | None:
    """What each lead event earns in this program, as configured (or the defaults)."""
    if program is None:
        return None
    return [
        {"event": event.label, "beneficiary": beneficiary, "points": points}
        for event in LeadEvent
        for beneficiary, points in points_for(program=program, event=event).items()
    ]


@quiet
def catalog_slice(user, *, limit: int, kind: str = "") -> list[RewardItem] | None:
    items = catalog_for(user=user).order_by("points_price")
    if kind:
        items = items.filter(kind=kind)
    rows = list(items[:limit])
    if not rows:
        return None
    if _participant(user):
        return catalog_with_eligibility(participant=user, items=rows)
    return rows


@quiet
def my_progress(user, program: Program | None) -> dict | None:
    """The viewer's points, tier and the next step: rendered per viewer."""
    if not _participant(user):
        return None
    if program is None:
        program = Program.objects.filter(tiers__isnull=False).distinct().order_by("pk").first()
    if program is None:
        return None
    return {
        "balance": balance_of(participant=user),
        **tier_progress(participant=user, program=program),
    }


@quiet
def contest_countdown(contest_id: int | None) -> dict | None:
    contest = Contest.objects.filter(pk=contest_id).first() if contest_id else None
    if contest is None:
        return None
    now = timezone.now()
    if now < contest.starts_at:
        state, target = "upcoming", contest.starts_at
    elif now < contest.ends_at and contest.closed_at is None:
        state, target = "running", contest.ends_at
    else:
        state, target = "closed", contest.ends_at
    remaining = max(target - now, timedelta(0))
    return {
        "contest": contest,
        "state": state,
        "target": target,
        "days": remaining.days,
        "hours": remaining.seconds // 3600,
        "minutes": (remaining.seconds % 3600) // 60,
    }


@quiet
def share_links(user) -> dict | None:
    """The reader's own referral link, for employees and partners who may refer."""
    from portal.leads.permissions import lead_submission_permission
    from portal.leads.referrals import referral_link_for

    if not _participant(user) or not lead_submission_permission(user=user).allowed:
        return None
    return referral_share_links(link=referral_link_for(user=user))


def board_snapshot(board_id: str, *, top_n: int, previous_period: bool) -> dict:
    """A frozen copy of a board from the database (the truth), for an announcement."""
    board = Board.parse(board_id)
    today = timezone.localdate()
    day = today
    start = period_start(board.period, today)
    if previous_period and start is not None:
        day = start - timedelta(days=1)  # a day of the period before this one
    totals = sql_totals(board, today=day)[:top_n]
    records = name_records(
        by_organisation=board.by_organisation, ids=[pid for pid, _t, _l in totals]
    )
    rows = []
    for rank, (pid, total, _last) in enumerate(totals, start=1):
        record = records.get(pid, "?\t?\tE")
        if board.by_organisation:
            name, initials, kind = record, record, "O"
        else:
            name, initials, kind = split_record(record=record)
        rows.append(
            {"rank": rank, "name": name, "initials": initials, "kind": kind, "total": total}
        )
    return {
        "board": board.id,
        "metric": board.metric,
        "period": board.period,
        "day": day.isoformat(),
        "taken_at": timezone.now().isoformat(),
        "rows": rows,
    }


def snapshot_rows_for(snapshot: dict, viewer) -> list[dict]:
    """Rows of a frozen board as this viewer may see them (partners see employees'
    initials unless the company shares names)."""
    audience = audience_of(viewer=viewer if _participant(viewer) else None)
    return [
        {
            **row,
            "display": row["name"]
            if row["kind"] == "O"
            else name_from_record(
                record=f"{row['name']}\t{row['initials']}\t{row['kind']}", audience=audience
            ),
        }
        for row in snapshot.get("rows", [])
    ]


@quiet
def embed_html(url: str) -> str | None:
    """The provider's player for a video address (None when it cannot be reached)."""
    from wagtail.embeds.embeds import get_embed

    return get_embed(url).html if url else None
