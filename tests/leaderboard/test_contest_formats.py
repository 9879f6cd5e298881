# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contest formats: winners on hand-built standings (ties, minimum scores), recorded with
their rule when the contest closes; prizes reach rewards and payouts once; standings go
to the chat."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leaderboard import formats
from leaderboard.contests import contest_close, contest_share_text, time_left_text
from leaderboard.formats import Prize, Standing
from leaderboard.models import Contest, ContestGoal
from portal.events.models import Event
from portal.events.services import event_handle
from portal.leads import services as leads
from portal.payouts.models import Commission
from portal.rewards.models import LedgerEntry
from portal.rewards.services import ledger_add
from tests.factories import TeamFactory, UserFactory, submit_lead

P = [Prize("Gold"), Prize("Silver"), Prize("Bronze")]


def _s(*rows):
    return [Standing(*r) for r in rows]


# --- Pure formats on hand-built standings ------------------------------------------------------


def test_ranking_gives_prizes_by_rank():
    awards = formats.ranking_awards(standings=_s((1, 90), (2, 70), (3, 50), (4, 10)), prizes=P)
    assert [(a.participant, a.prize.text, a.place) for a in awards] == [
        (1, "Gold", 1),
        (2, "Silver", 2),
        (3, "Bronze", 3),
    ]
    assert awards[0].rule == {"code": "rank", "place": 1, "tied": 1, "minimum": None}


def test_ranking_ties_share_the_place_and_skip_the_next():
    awards = formats.ranking_awards(standings=_s((1, 80), (2, 80), (3, 50), (4, 40)), prizes=P)
    assert [(a.participant, a.prize.text, a.place) for a in awards] == [
        (1, "Gold", 1),
        (2, "Gold", 1),
        (3, "Bronze", 3),
    ]
    assert awards[0].rule["tied"] == 2
    assert "shared by 2" in formats.rule_text(awards[0].rule)


def test_ranking_minimum_score_at_the_threshold_wins_one_below_does_not():
    awards = formats.ranking_awards(standings=_s((1, 90), (2, 50), (3, 49)), prizes=P, minimum=50)
    assert [(a.participant, a.prize.text) for a in awards] == [(1, "Gold"), (2, "Silver")]
    assert formats.ranking_awards(standings=_s((1, 49)), prizes=P, minimum=50) == []


def test_zero_scores_never_win():
    assert formats.ranking_awards(standings=_s((1, 0), (2, -5)), prizes=P) == []


def test_pot_shares_by_rank_and_ties_split_their_places():
    awards = formats.pot_awards(
        standings=_s((1, 100), (2, 100), (3, 60), (4, 10)),
        pot=Decimal("1000.00"),
        shares=[Decimal(50), Decimal(30), Decimal(20)],
        currency="EUR",
        measured=Decimal("10000"),
        percent=Decimal(10),
    )
    assert [(a.participant, a.prize.amount) for a in awards] == [
        (1, Decimal("400.00")),
        (2, Decimal("400.00")),
        (3, Decimal("200.00")),
    ]
    assert awards[0].rule["share"] == "40"
    assert all(a.prize.currency == "EUR" for a in awards)


def test_pot_respects_the_minimum_score():
    awards = formats.pot_awards(
        standings=_s((1, 100), (2, 20)),
        pot=Decimal("100"),
        shares=[Decimal(60), Decimal(40)],
        currency="EUR",
        measured=Decimal("1000"),
        percent=Decimal(10),
        minimum=21,
    )
    assert [(a.participant, a.prize.amount) for a in awards] == [(1, Decimal("60.00"))]


def test_steps_everyone_reaching_a_level_gets_its_prize():
    levels = formats.levels_parse("100: 50 points\n50: Mug\n200: 100 EUR Dinner")
    assert [lv[0] for lv in levels] == [50, 100, 200]
    awards = formats.steps_awards(
        standings=_s((1, 200), (2, 199), (3, 100), (4, 50), (5, 49)), levels=levels
    )
    assert [(a.participant, a.prize.text) for a in awards] == [
        (1, "100 EUR Dinner"),
        (2, "50 points"),
        (3, "50 points"),
        (4, "Mug"),
    ]
    assert awards[0].prize.amount == Decimal("100.00") and awards[1].prize.points == 50


def test_goals_a_target_per_person():
    awards = formats.goals_awards(
        standings=_s((1, 10), (2, 10), (3, 4)),
        targets={1: 12, 3: 4},
        default=8,
        prize=Prize("Spa day"),
    )
    # 1 missed their own 12; 2 reached the default 8; 3 reached exactly their 4
    assert [(a.participant, a.rule["target"]) for a in awards] == [(2, 8), (3, 4)]


def test_team_score_is_the_sum_of_its_top_n_and_ties_share():
    standings = _s((1, 50, 10), (2, 40, 10), (3, 1, 10), (4, 45, 20), (5, 45, 20), (6, 90, 30))
    assert formats.team_scores(standings=standings, top_n=2) == {10: 90, 20: 90, 30: 90}
    standings = _s((1, 50, 10), (2, 40, 10), (3, 30, 10), (4, 60, 20), (5, 20, 20))
    assert formats.team_scores(standings=standings, top_n=2) == {10: 90, 20: 80}
    awards = formats.team_awards(standings=standings, prizes=P[:1], top_n=2)
    # every scoring member of the winning team, including the one outside its top 2
    assert [(a.participant, a.prize.text, a.team) for a in awards] == [
        (1, "Gold", 10),
        (2, "Gold", 10),
        (3, "Gold", 10),
    ]


def test_prize_lines_that_flow():
    assert formats.prize_parse("500 points and a mug").points == 500
    cash = formats.prize_parse("150.50 EUR bonus")
    assert (cash.amount, cash.currency) == (Decimal("150.50"), "EUR")
    assert formats.prize_parse("Headphones") == Prize("Headphones")


# --- Closing a contest -------------------------------------------------------------------------


def _contest(**kw):
    now = timezone.now()
    defaults = {
        "name": "Spring",
        "eligibility": "employees",
        "starts_at": now - timedelta(days=3),
        "ends_at": now + timedelta(days=1),
        "prizes": "",
    }
    return Contest.objects.create(**{**defaults, **kw})


def _points(user, n):
    ledger_add(participant=user, amount=n, event="adjustment", reason="t")


@pytest.fixture(autouse=True)
def _sql_boards(settings):
    settings.REDIS_URL = ""


def test_closing_records_winners_with_rule_and_prizes_flow_once(db, finance):
    contest = _contest(prizes="300 points\n100 EUR\nMug", minimum_score=20)
    a, b, c, d = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    _points(a, 80)
    _points(b, 60)
    _points(c, 60)
    _points(d, 19)  # below the minimum
    winners = contest_close(contest=contest)
    assert [(w["participant"], w["place"], w["prize"]) for w in winners] == [
        (a.pk, 1, "300 points"),
        (b.pk, 2, "100 EUR"),
        (c.pk, 2, "100 EUR"),
    ]
    assert winners[1]["rule"] == {"code": "rank", "place": 2, "tied": 2, "minimum": 20}
    prize_points = LedgerEntry.objects.filter(event="contest.prize")
    assert [(e.participant, e.amount) for e in prize_points] == [(a, 300)]
    money = Commission.objects.filter(event="contest_prize").order_by("payee_user_id")
    assert [(m.payee_user, m.amount, m.status) for m in money] == [
        (b, Decimal("100.00"), "approved"),
        (c, Decimal("100.00"), "approved"),
    ]
    # closing again, and handling the event again, adds nothing
    assert contest_close(contest=contest) == winners
    from portal.payouts.handlers import contest_prize_money
    from portal.rewards.handlers import contest_prize_points

    event = Event.objects.get(name="contest.closed")
    contest_prize_points(event)
    contest_prize_money(event)
    event_handle(event_id=event.pk)
    assert LedgerEntry.objects.filter(event="contest.prize").count() == 1
    assert Commission.objects.filter(event="contest_prize").count() == 2


def test_pot_contest_measures_the_deals_won_in_the_window(db, reviewer, program):
    contest = _contest(format="pot", pot_percent=Decimal("10"), pot_shares="70,30", metric="won")
    a, b = UserFactory(), UserFactory()
    for person, value in ((a, "3000"), (a, "2000"), (b, "1000")):
        lead = submit_lead(person, program)
        leads.lead_qualify(lead=lead, actor=reviewer)
        leads.lead_mark_won(lead=lead, actor=reviewer, deal_value=Decimal(value), currency="EUR")
    winners = contest_close(contest=contest)
    # 10 % of 6,000 = 600: 70 % to a (2 won), 30 % to b (1 won)
    assert [(w["participant"], w["amount"]) for w in winners] == [
        (a.pk, "420.00"),
        (b.pk, "180.00"),
    ]
    assert winners[0]["rule"]["pot"] == "600.00"
    assert Commission.objects.filter(event="contest_prize").count() == 2


def test_team_contest_closes_with_every_member_of_the_best_team(db):
    red, blue = TeamFactory(name="Red"), TeamFactory(name="Blue")
    r1, r2, r3 = UserFactory(team=red), UserFactory(team=red), UserFactory(team=red)
    b1, b2 = UserFactory(team=blue), UserFactory(team=blue)
    for person, n in ((r1, 30), (r2, 30), (r3, 100), (b1, 90), (b2, 80)):
        _points(person, n)
    contest = _contest(format="teams", team_top_n=2, prizes="50 points")
    winners = contest_close(contest=contest)
    # red: 100 + 30 = 130 (its third member does not count); blue: 90 + 80 = 170
    assert {w["participant"] for w in winners} == {b1.pk, b2.pk}
    assert winners[0]["team_name"] == "Blue" and winners[0]["rule"]["score"] == 170


def test_goals_contest_uses_personal_targets(db):
    a, b = UserFactory(), UserFactory()
    _points(a, 40)
    _points(b, 40)
    contest = _contest(format="goals", goal_target=30, prizes="Lunch with the CEO")
    ContestGoal.objects.create(contest=contest, participant=a, target=50)
    winners = contest_close(contest=contest)
    assert [(w["participant"], w["rule"]["target"]) for w in winners] == [(b.pk, 30)]


def test_steps_contest_closes_with_each_level(db):
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    _points(a, 120)
    _points(b, 60)
    _points(c, 10)
    contest = _contest(format="steps", prizes="50: 20 points\n100: 60 points")
    winners = contest_close(contest=contest)
    assert [(w["participant"], w["points"]) for w in winners] == [(a.pk, 60), (b.pk, 20)]
    entries = LedgerEntry.objects.filter(event="contest.prize").order_by("amount")
    assert [(e.participant, e.amount) for e in entries] == [(b, 20), (a, 60)]


# --- Pages and sharing -------------------------------------------------------------------------


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_standings_are_shared_to_the_chat(client, manager, employee, settings):
    contest = _contest(name="Autumn push", prizes="Headphones\nMug")
    _points(employee, 40)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.CHAT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
        before = len(_Hook.received)
        client.force_login(manager)
        response = client.post(reverse("leaderboard:contest_share", args=[contest.pk]))
        assert response.status_code == 302
        assert len(_Hook.received) == before + 1
        text = _Hook.received[-1]["text"]
        assert "Autumn push" in text and "23 hours left" in text
        assert "1. " in text and "— 40" in text and "Headphones · Mug" in text
    finally:
        server.shutdown()


def test_participants_cannot_share(client, employee, settings):
    settings.CHAT_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    contest = _contest()
    client.force_login(employee)
    assert client.post(reverse("leaderboard:contest_share", args=[contest.pk])).status_code == 403


def test_time_left_edges(db):
    contest = _contest()
    now = contest.ends_at
    assert time_left_text(contest=contest, now=now - timedelta(days=2)) == "2 days left"
    assert time_left_text(contest=contest, now=now - timedelta(hours=1)) == "1 hour left"
    assert time_left_text(contest=contest, now=now) == "ended"
    assert "No scores yet." in contest_share_text(contest=contest, now=now - timedelta(hours=3))


def test_contest_page_shows_standings_and_is_hidden_from_the_ineligible(
    client, employee, partner_user
):
    contest = _contest(prizes="Gold\nSilver", minimum_score=10)
    _points(employee, 30)
    client.force_login(employee)
    page = client.get(reverse("leaderboard:contest", args=[contest.pk])).content.decode()
    assert "Would win now" in page and "Gold" in page and "at least 10 is needed" in page
    client.force_login(partner_user)  # an employees' contest
    assert client.get(reverse("leaderboard:contest", args=[contest.pk])).status_code == 404
