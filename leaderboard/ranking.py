# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pure board arithmetic: which boards an event touches, period keys, score encoding.

A board is (scope, metric, period). Ties are broken by who got there first: the Redis
score packs the total with the time of the participant's last change, so an equal total
reached earlier ranks higher; within the same second, the higher participant id first
(Redis orders equal scores by member, and members are zero-padded ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PERIODS = ("week", "month", "quarter", "all")
METRICS = ("points", "qualified", "won")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
TIE_SPAN = 2**32  # seconds since EPOCH fit below this for 136 years
MEMBER_WIDTH = 12

# Ledger events that count for each metric (+1 or -1); points count every earning event.
METRIC_EVENTS = {
    "qualified": {"qualified": 1, "qualified.reversed": -1},
    "won": {"won": 1, "won.reversed": -1},
}
# Spending is not achievement: redemptions and tickets do not move boards.
SPENDING_EVENTS = frozenset({"redemption", "redemption.refund", "raffle.ticket"})


SCOPE_PATTERN = re.compile(r"everyone|employees|partners|orgs|(team|contest):[1-9][0-9]{0,17}")


@dataclass(frozen=True, order=True)
class Board:
    scope: str  # "everyone", "employees", "partners", "orgs", "team:<id>", "contest:<id>"
    metric: str = "points"
    period: str = "month"

    @property
    def id(self) -> str:
        return f"{self.scope}.{self.metric}.{self.period}"

    @classmethod
    def parse(cls, board_id: str) -> Board:
        scope, metric, period = board_id.rsplit(".", 2)
        if metric not in METRICS or period not in PERIODS or not SCOPE_PATTERN.fullmatch(scope):
            raise ValueError(board_id)
        return cls(scope, metric, period)

    @property
    def by_organisation(self) -> bool:
        return self.scope == "orgs"


def metric_delta(metric: str, event: str, amount: int) -> int:
    if metric == "points":
        return 0 if event in SPENDING_EVENTS else amount
    return METRIC_EVENTS[metric].get(event, 0)


def period_start(period: str, local: date) -> date | None:
    """First day of the period containing ``local`` (weeks start on Monday)."""
    if period == "week":
        return local - timedelta(days=local.weekday())
    if period == "month":
        return local.replace(day=1)
    if period == "quarter":
        return date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    return None


def period_key(period: str, local: date) -> str:
    start = period_start(period, local)
    return "all" if start is None else start.isoformat()


def encode(total: int, last_change: datetime) -> float:
    seconds = int((last_change - EPOCH).total_seconds())
    return float(total * TIE_SPAN + (TIE_SPAN - 1 - seconds))


def decode(score: float) -> int:
    return int(score // TIE_SPAN)


def member(participant_id: int) -> str:
    return str(participant_id).zfill(MEMBER_WIDTH)


def order_key(total: int, last_change: datetime, participant_id: int) -> tuple:
    """Sort key (ascending = best first) that matches the Redis order exactly."""
    return (-total, int((last_change - EPOCH).total_seconds()), -participant_id)
