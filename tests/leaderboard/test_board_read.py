# SPDX-License-Identifier: AGPL-3.0-or-later
"""A board read asks Redis once and the database never."""

from __future__ import annotations

import pytest
from django.conf import settings

from leaderboard import store
from leaderboard.ranking import Board
from leaderboard.selectors import board_page, board_rows, board_rows_by_audience
from portal.accounts.display import Audience
from portal.rewards.services import ledger_add
from tests.factories import PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db

BOARD = Board("everyone", "points", "month")


@pytest.fixture
def redis_round_trips(monkeypatch):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI sets it): without it boards read SQL by design")
    calls: list[tuple] = []
    redis = store.client()
    real = redis.execute_command

    def counting(*args, **kwargs):
        calls.append(args[:1])
        return real(*args, **kwargs)

    monkeypatch.setattr(redis, "execute_command", counting)
    return calls


def _board_of(n: int):
    people = [UserFactory() for _ in range(n)]
    for i, person in enumerate(people):
        ledger_add(participant=person, amount=10 * (i + 1), event="adjustment", reason="t")
    return people


def test_a_board_page_asks_redis_once_and_no_sql(django_assert_num_queries, redis_round_trips):
    people = _board_of(8)
    viewer = people[2]
    board_page(board=BOARD, viewer=viewer, n=5, k=1)  # loads the script once
    redis_round_trips.clear()
    with django_assert_num_queries(0):
        page = board_page(board=BOARD, viewer=viewer, n=5, k=1)
    assert len(redis_round_trips) == 1
    assert [r["id"] for r in page["top"]] == [p.pk for p in reversed(people[-5:])]
    assert page["me"].rank == 6 and page["me"].total == 30
    assert [r["id"] for r in page["around"]] == [people[3].pk, people[2].pk, people[1].pk]
    assert page["top"][0]["name"] == people[-1].public_name


def test_per_audience_rows_come_from_one_read_and_hide_employee_names_from_partners(
    django_assert_num_queries, redis_round_trips
):
    employee = UserFactory(first_name="Erika", last_name="Employee")
    partner = PartnerUserFactory(first_name="Paula", last_name="Partner")
    ledger_add(participant=employee, amount=20, event="adjustment", reason="t")
    ledger_add(participant=partner, amount=10, event="adjustment", reason="t")
    board_rows_by_audience(board=BOARD, n=10)
    redis_round_trips.clear()
    with django_assert_num_queries(0):
        rows = board_rows_by_audience(board=BOARD, n=10)
    assert len(redis_round_trips) == 1
    assert [r["name"] for r in rows[Audience.STAFF]] == ["Erika Employee", "Paula Partner"]
    assert [r["name"] for r in rows[Audience.PARTNER]] == ["E.E.", "Paula Partner"]


def test_a_screens_rows_ask_redis_once_and_no_sql(django_assert_num_queries, redis_round_trips):
    people = _board_of(4)
    board_rows(board=BOARD, viewer=None, n=3)  # loads the script, keeps the names
    redis_round_trips.clear()
    with django_assert_num_queries(0):
        rows = board_rows(board=BOARD, viewer=None, n=3, audience=Audience.STAFF)
    assert len(redis_round_trips) == 1
    assert [(r["rank"], r["id"], r["total"]) for r in rows] == [
        (1, people[3].pk, 40),
        (2, people[2].pk, 30),
        (3, people[1].pk, 20),
    ]
    assert [r["name"] for r in rows] == [p.public_name for p in reversed(people[1:])]


def test_names_redis_lost_are_read_from_the_database_once_and_kept(
    django_assert_num_queries, redis_round_trips
):
    people = _board_of(3)
    store.client().delete(*store.NAMES_KEY.values())  # e.g. Redis restarted without them
    first = board_rows(board=BOARD, viewer=None, n=3, audience=Audience.STAFF)
    with django_assert_num_queries(0):
        again = board_rows(board=BOARD, viewer=None, n=3, audience=Audience.STAFF)
    assert again == first
    assert [r["name"] for r in again] == [p.public_name for p in reversed(people)]
