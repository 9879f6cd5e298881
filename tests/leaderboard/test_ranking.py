# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from leaderboard import ranking, store
from leaderboard.ranking import Board
from portal.rewards.models import LedgerEntry
from portal.rewards.services import ledger_add
from tests.factories import UserFactory

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_period_keys_start_weeks_on_monday_and_quarters_on_their_month():
    thursday = date(2026, 11, 26)
    assert ranking.period_key("week", thursday) == "2026-11-23"
    assert ranking.period_key("month", thursday) == "2026-11-01"
    assert ranking.period_key("quarter", thursday) == "2026-10-01"
    assert ranking.period_key("quarter", date(2026, 3, 31)) == "2026-01-01"
    assert ranking.period_key("all", thursday) == "all"


def test_board_ids_round_trip_and_reject_nonsense():
    board = Board("team:7", "qualified", "quarter")
    assert Board.parse(board.id) == board
    with pytest.raises(ValueError):
        Board.parse("everyone.money.month")


def test_score_encoding_keeps_totals_and_orders_ties_by_who_got_there_first():
    early, late = (
        datetime(2026, 1, 1, 10, tzinfo=HELSINKI),
        datetime(2026, 1, 2, 10, tzinfo=HELSINKI),
    )
    assert ranking.decode(ranking.encode(1234, early)) == 1234
    assert ranking.decode(ranking.encode(-50, early)) == -50
    assert ranking.encode(100, early) > ranking.encode(100, late) > ranking.encode(99, early)


def _entry(user, amount, when, event="adjustment"):
    entry = ledger_add(participant=user, amount=amount, event=event, reason="t")
    LedgerEntry.objects.filter(pk=entry.pk).update(created_at=when)


def test_sql_board_breaks_ties_by_who_reached_the_total_first(db, settings):
    settings.REDIS_URL = ""
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    now = timezone.now()
    _entry(a, 50, now - timedelta(hours=3))
    _entry(b, 50, now - timedelta(hours=5))
    _entry(c, 70, now - timedelta(hours=1))
    rows = store.SqlStore().top(Board("everyone", "points", "all"), 10)
    assert [(r.participant_id, r.total) for r in rows] == [(c.pk, 70), (b.pk, 50), (a.pk, 50)]


def test_week_boundary_follows_the_site_time_zone(db, settings):
    settings.REDIS_URL = ""
    user = UserFactory()
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=HELSINKI)  # 21:30 UTC, still Sunday
    monday_early = datetime(
        2026, 11, 23, 0, 30, tzinfo=HELSINKI
    )  # 22:30 UTC Sunday, but Monday here
    _entry(user, 10, sunday_night)
    _entry(user, 5, monday_early)
    totals = store.sql_totals(Board("everyone", "points", "week"), today=date(2026, 11, 24))
    assert [(pid, total) for pid, total, _ in totals] == [(user.pk, 5)]
    totals = store.sql_totals(Board("everyone", "points", "month"), today=date(2026, 11, 24))
    assert totals[0][1] == 15


def test_month_and_quarter_boundaries(db, settings):
    settings.REDIS_URL = ""
    user = UserFactory()
    _entry(user, 7, datetime(2026, 9, 30, 23, 59, tzinfo=HELSINKI))
    _entry(user, 3, datetime(2026, 10, 1, 0, 0, tzinfo=HELSINKI))
    october = date(2026, 10, 15)
    assert store.sql_totals(Board("everyone", "points", "month"), today=october)[0][1] == 3
    assert store.sql_totals(Board("everyone", "points", "quarter"), today=october)[0][1] == 3
    assert store.sql_totals(Board("everyone", "points", "all"), today=october)[0][1] == 10


def test_spending_does_not_move_boards_and_metrics_count_events(db, settings):
    settings.REDIS_URL = ""
    user = UserFactory()
    now = timezone.now()
    _entry(user, 100, now, event="qualified")
    _entry(user, -60, now, event="redemption")
    _entry(user, -50, now, event="qualified.reversed")
    assert store.sql_totals(Board("everyone", "points", "all"))[0][1] == 50
    assert store.sql_totals(Board("everyone", "qualified", "all"))[0][1] == 0
