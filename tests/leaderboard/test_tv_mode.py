# SPDX-License-Identifier: AGPL-3.0-or-later
"""TV mode reads like a scoreboard: a podium for the top three with initials avatars, the
rest below, the names of the boards the screen rotates through, the countdown of the
running contest, and a full-screen place for celebrations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leaderboard.models import Contest
from leaderboard.ranking import Board
from leaderboard.screens import initials_of, tv_contest, tv_rows, tv_screen_create
from portal.rewards.services import ledger_add
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _sql_boards(settings):
    settings.REDIS_URL = ""  # the SQL store: the same rows without a Redis server


def test_initials_of_names_and_of_names_already_shown_as_initials():
    assert initials_of(name="Emma Stone") == "ES"
    assert initials_of(name="Anna Maria de la Cruz") == "AM"
    assert initials_of(name="E.S.") == "ES"
    assert initials_of(name="Åsa") == "Å"
    assert initials_of(name="  ") == "?"


def test_the_podium_holds_the_first_three_and_the_rest_follow():
    rows = [
        {"rank": i, "id": 10 + i, "name": f"Person {i}", "total": 100 - i} for i in (1, 2, 3, 4)
    ]
    laid = tv_rows(rows=rows)
    assert [r["rank"] for r in laid["podium"]] == [1, 2, 3]
    assert [r["rank"] for r in laid["rest"]] == [4]
    assert laid["podium"][0]["initials"] == "P1" and laid["podium"][0]["hue"] == 11 % 6


def _contest(name, start_days, end_days, eligibility="everyone", closed=False):
    now = timezone.now()
    return Contest.objects.create(
        name=name,
        eligibility=eligibility,
        starts_at=now + timedelta(days=start_days),
        ends_at=now + timedelta(days=end_days),
        closed_at=now if closed else None,
        prizes="A trophy",
    )


def test_the_screen_counts_down_to_the_contest_ending_soonest_that_everyone_can_enter(db):
    _contest("Later", -1, 9)
    soon = _contest("Soon", -1, 2)
    _contest("Staff only", -1, 1, eligibility="employees")
    _contest("Not started", 1, 3)
    _contest("Closed early", -5, 1, closed=True)
    assert tv_contest(board=Board("everyone", "points", "month")) == soon
    assert tv_contest(board=Board(soon.board_scope, "points", "all")) == soon


def test_a_contest_an_hour_past_its_end_has_no_countdown(db):
    now = timezone.now()
    ended = Contest.objects.create(
        name="Ended",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(hours=1),
        prizes="x",
    )
    running = Contest.objects.create(
        name="Running",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(hours=1),
        prizes="x",
    )
    assert tv_contest(board=Board(ended.board_scope, "points", "all")) is None
    assert tv_contest(board=Board(running.board_scope, "points", "all")) == running


def test_tv_page_shows_podium_avatars_rotation_names_and_countdown(client, manager):
    people = [UserFactory(first_name=f"P{i}", last_name="Person") for i in range(5)]
    for amount, person in zip((50, 40, 30, 20, 10), people, strict=True):
        ledger_add(participant=person, amount=amount, event="adjustment", reason="t")
    contest = _contest("Q4 sprint", -1, 2)
    _screen, token = tv_screen_create(
        actor=manager,
        name="Lobby",
        boards=f"everyone.points.month,{contest.board_scope}.points.all,everyone.won.quarter",
    )
    html = client.get(reverse("leaderboard:tv") + f"?token={token}").content.decode()
    podium = html[html.index("data-podium") : html.index("data-rows")]
    assert re.findall(r'class="podium-place place-(\d)"', podium) == ["1", "2", "3"]
    assert re.findall(r'place-\d" data-id="(\d+)"', podium) == [str(p.pk) for p in people[:3]]
    assert 'class="avatar hue-' in podium
    rest = html[html.index("data-rows") :]
    assert re.findall(r'<li class="tv-row" data-id="(\d+)" data-rank="(\d)"', rest) == [
        (str(people[3].pk), "4"),
        (str(people[4].pk), "5"),
    ]
    rotation = re.findall(r"<li( aria-current=\"true\")?>([^<]+)</li>", html)
    assert rotation == [(' aria-current="true"', "Everyone"), ("", "Q4 sprint"), ("", "Everyone")]
    assert "Q4 sprint ends in" in html and "data-countdown=" in html
    assert "data-celebrate hidden" in html
    assert "Board score" in html  # the metric says which points these are


def test_a_single_board_screen_shows_no_rotation_and_no_countdown_without_a_contest(
    client, manager
):
    _screen, token = tv_screen_create(actor=manager, name="Hall", boards="everyone.points.month")
    html = client.get(reverse("leaderboard:tv") + f"?token={token}").content.decode()
    assert "tv-rotation" not in html and "data-countdown" not in html
    assert "Nobody on this board yet" in html
