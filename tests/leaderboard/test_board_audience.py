# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who sees a contest's board, who a board shown without a viewer (a TV screen) is for,
which boards exist, and how people are named on rows and shout-outs
(leaderboard.selectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from leaderboard.models import Contest, Shoutout
from leaderboard.ranking import METRICS, PERIODS, Board
from leaderboard.selectors import (
    all_boards,
    board_audience,
    board_page,
    board_rows,
    board_rows_by_audience,
    board_visible_to,
    boards_visible_to,
    name_records,
    shoutouts_shown,
)
from portal.accounts.display import Audience
from portal.accounts.roles import Role
from portal.rewards.models import Tier, TierStatus
from portal.rewards.services import ledger_add
from tests.factories import (
    PartnerOrganisationFactory,
    PartnerUserFactory,
    ProgramFactory,
    TeamFactory,
    UserFactory,
    give_role,
)

pytestmark = pytest.mark.django_db


def _contest(eligibility="everyone", ended_days_ago=None, **kw):
    now = timezone.now()
    ends_at = now + timedelta(days=5) if ended_days_ago is None else now - ended_days_ago
    return Contest.objects.create(
        name="Spring",
        eligibility=eligibility,
        starts_at=now - timedelta(days=90),
        ends_at=ends_at,
        prizes="A trophy",
        **kw,
    )


def _board(contest) -> Board:
    return Board(contest.board_scope, "points", "all")


# --- Contest boards: who may see them --------------------------------------------------------


def test_an_employees_contest_is_seen_by_employees_and_overseers_not_by_partners(
    employee, partner_user, reviewer, finance
):
    board = _board(_contest("employees"))
    assert board_visible_to(user=employee, board=board)
    assert board_visible_to(user=reviewer, board=board)
    assert board_visible_to(user=finance, board=board)
    assert not board_visible_to(user=partner_user, board=board)


def test_a_partners_contest_is_seen_by_partners_and_overseers_not_by_employees(
    employee, partner_user, partner_admin, reviewer, finance
):
    board = _board(_contest("partners"))
    assert board_visible_to(user=partner_user, board=board)
    assert board_visible_to(user=partner_admin, board=board)
    assert board_visible_to(user=reviewer, board=board)
    assert board_visible_to(user=finance, board=board)
    assert not board_visible_to(user=employee, board=board)


def test_a_team_contest_is_for_the_team_and_its_managers_only(employee, manager):
    own = _contest("team", team=employee.team)
    other_team = TeamFactory()
    other = _contest("team", team=other_team)
    assert board_visible_to(user=employee, board=_board(own))
    assert not board_visible_to(user=employee, board=_board(other))
    assert board_visible_to(user=manager, board=_board(own))  # manages it, not a member
    assert not board_visible_to(user=manager, board=_board(other))
    assert not board_visible_to(user=UserFactory(team=TeamFactory()), board=_board(own))


def test_a_tier_contest_is_for_those_in_the_tier(employee):
    program = ProgramFactory()
    gold = Tier.objects.create(program=program, name="Gold", threshold=100)
    silver = Tier.objects.create(program=program, name="Silver", threshold=10)
    board = _board(_contest("tier", tier=gold))
    in_gold = UserFactory()
    TierStatus.objects.create(participant=in_gold, program=program, tier=gold)
    in_silver = UserFactory()
    TierStatus.objects.create(participant=in_silver, program=program, tier=silver)
    assert board_visible_to(user=in_gold, board=board)
    assert not board_visible_to(user=in_silver, board=board)
    assert not board_visible_to(user=employee, board=board)


def test_an_everyone_contest_is_seen_by_anyone_with_a_role_but_not_anonymously(
    employee, partner_user, outsider
):
    board = _board(_contest("everyone"))
    assert board_visible_to(user=employee, board=board)
    assert board_visible_to(user=partner_user, board=board)
    assert not board_visible_to(user=outsider, board=board)
    assert not board_visible_to(user=AnonymousUser(), board=board)


@pytest.mark.parametrize("key", ["", "abc", "1a", "²", "999999"])
def test_a_malformed_or_unknown_contest_board_is_seen_by_nobody(reviewer, key):
    assert not board_visible_to(user=reviewer, board=Board(f"contest:{key}", "points", "all"))


# --- Which boards exist ------------------------------------------------------------------------


def test_every_scope_has_each_metric_and_period_and_teams_have_their_own(db):
    team = TeamFactory()
    boards = all_boards()
    for scope in ["everyone", "employees", "partners", "orgs", f"team:{team.pk}"]:
        assert {(b.metric, b.period) for b in boards if b.scope == scope} == {
            (m, p) for m in METRICS for p in PERIODS
        }


def test_contest_boards_are_kept_sixty_days_after_the_contest_ends(db):
    running = _contest()
    recent = _contest(ended_days_ago=timedelta(days=59, hours=23))
    old = _contest(ended_days_ago=timedelta(days=60, hours=1))
    scopes = [b.scope for b in all_boards()]
    for kept in (running, recent):
        assert [b for b in all_boards() if b.scope == kept.board_scope] == [
            Board(kept.board_scope, m, "all") for m in METRICS
        ]
    assert old.board_scope not in scopes


def test_a_tv_screen_of_an_employee_offers_only_the_boards_the_employee_may_see(employee):
    team_contest = _contest("team", team=employee.team)
    partners_contest = _contest("partners")
    scopes = {b.scope for b in boards_visible_to(user=employee)}
    assert {"everyone", "employees", "orgs", f"team:{employee.team_id}"} <= scopes
    assert team_contest.board_scope in scopes
    assert "partners" not in scopes and partners_contest.board_scope not in scopes


# --- Who looks at a board shown without a viewer ----------------------------------------------


@pytest.mark.parametrize(
    ("scope", "audience"),
    [
        ("everyone", Audience.PARTNER),
        ("partners", Audience.PARTNER),
        ("orgs", Audience.PARTNER),
        ("employees", Audience.STAFF),
        ("team:1", Audience.STAFF),
        ("contest:", Audience.PARTNER),  # unknown: the safe side
        ("contest:1a", Audience.PARTNER),
        ("contest:999999", Audience.PARTNER),
    ],
)
def test_a_company_board_on_a_screen_is_for_whoever_the_board_is_for(db, scope, audience):
    assert board_audience(board=Board(scope, "points", "month")) == audience


@pytest.mark.parametrize(
    ("eligibility", "audience"),
    [
        ("everyone", Audience.PARTNER),
        ("partners", Audience.PARTNER),
        ("tier", Audience.PARTNER),
        ("profile", Audience.PARTNER),
        ("employees", Audience.STAFF),
        ("team", Audience.STAFF),
    ],
)
def test_a_contest_board_on_a_screen_shows_employees_names_only_if_partners_never_see_it(
    db, eligibility, audience
):
    assert board_audience(board=_board(_contest(eligibility))) == audience


# --- How people are named -------------------------------------------------------------------


def test_name_records_carry_each_persons_public_name_initials_and_kind(db):
    eva = UserFactory(first_name="Eva", last_name="Employee")
    sam = UserFactory(first_name="Sam", last_name="Shy", show_initials_only=True)
    pia = PartnerUserFactory(first_name="Pia", last_name="Partner")
    records = name_records(by_organisation=False, ids=[eva.pk, sam.pk, pia.pk])
    assert records == {
        eva.pk: "Eva Employee\tE.E.\tE",
        sam.pk: "S.S.\tS.S.\tE",
        pia.pk: "Pia Partner\tP.P.\tP",
    }


def test_organisation_boards_are_named_by_the_organisation(db):
    acme = PartnerOrganisationFactory(name="Acme Partners")
    PartnerOrganisationFactory(name="Not asked")
    assert name_records(by_organisation=True, ids=[acme.pk]) == {acme.pk: "Acme Partners"}


@pytest.fixture(params=["sql", "redis"])
def board_store(request, settings):
    """Rows read from the SQL store, and from Redis where it is configured: the two must
    answer alike (production reads Redis; SQL is the fallback and the truth)."""
    if request.param == "sql":
        settings.REDIS_URL = ""
    elif not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI sets it)")
    return request.param


def _ranked(*people_points):
    for person, points in people_points:
        ledger_add(participant=person, amount=points, event="adjustment", reason="t")


def test_board_rows_rank_people_and_name_employees_by_initials_for_partners(
    partner_user, django_capture_on_commit_callbacks, board_store
):
    eva = UserFactory(first_name="Eva", last_name="Employee")
    pia = PartnerUserFactory(first_name="Pia", last_name="Partner")
    with django_capture_on_commit_callbacks(execute=True):
        _ranked((eva, 30), (pia, 80))
    board = Board("everyone", "points", "month")
    assert board_rows(board=board, viewer=partner_user) == [
        {"rank": 1, "id": pia.pk, "name": "Pia Partner", "total": 80},
        {"rank": 2, "id": eva.pk, "name": "E.E.", "total": 30},
    ]
    staff = board_rows(board=board, viewer=UserFactory())
    assert [r["name"] for r in staff] == ["Pia Partner", "Eva Employee"]
    # A screen given its audience names as that audience sees, whoever the viewer is.
    screen = board_rows(board=board, viewer=None, audience=Audience.STAFF)
    assert [r["name"] for r in screen] == ["Pia Partner", "Eva Employee"]
    assert [r["name"] for r in board_rows(board=board, viewer=None)] == ["Pia Partner", "E.E."]
    assert [r["id"] for r in board_rows(board=board, viewer=None, n=1)] == [pia.pk]


def test_shout_outs_name_employees_by_initials_to_partners_latest_first(
    partner_user, django_assert_num_queries
):
    eva = UserFactory(first_name="Eva", last_name="Employee")
    pia = PartnerUserFactory(first_name="Pia", last_name="Partner")
    first = Shoutout.objects.create(author=pia, about=eva, message="Thanks Eva")
    second = Shoutout.objects.create(author=eva, about=pia, message="Well done Pia")
    Shoutout.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_assert_num_queries(1):  # authors and subjects come with their shout-outs
        shown = shoutouts_shown(viewer=partner_user)
    assert [(s["author"], s["about"], s["message"]) for s in shown] == [
        ("E.E.", "Pia Partner", "Well done Pia"),
        ("Pia Partner", "E.E.", "Thanks Eva"),
    ]
    assert shown[0]["created_at"] == Shoutout.objects.get(pk=second.pk).created_at
    staff = shoutouts_shown(viewer=give_role(UserFactory(), Role.REVIEWER))
    assert [s["about"] for s in staff] == ["Pia Partner", "Eva Employee"]
    # A TV screen names as its audience sees; the viewer is not asked.
    assert [s["author"] for s in shoutouts_shown(audience=Audience.STAFF)] == [
        "Eva Employee",
        "Pia Partner",
    ]
    assert [s["author"] for s in shoutouts_shown(audience=Audience.PARTNER)] == [
        "E.E.",
        "Pia Partner",
    ]
    assert len(shoutouts_shown(viewer=partner_user, n=1)) == 1


def _digits_from_another_script(number: int) -> str:
    """``number`` in Arabic-Indic digits: decimal to Python, but not a board's key."""
    return "".join(chr(0x0660 + int(d)) for d in str(number))


def test_a_contest_key_in_non_ascii_digits_opens_no_board(reviewer):
    contest = _contest("employees")
    board = Board(f"contest:{_digits_from_another_script(contest.pk)}", "points", "all")
    assert int(board.scope[8:]) == contest.pk  # Python would read it as the contest's key
    assert not board_visible_to(user=reviewer, board=board)
    assert board_audience(board=board) == Audience.PARTNER  # unknown: the safe side


def test_a_team_left_on_a_contest_for_partners_gives_that_teams_manager_nothing(manager, employee):
    contest = _contest("partners", team=employee.team)
    assert not board_visible_to(user=manager, board=_board(contest))


def test_a_profile_contest_admits_no_one_without_the_profile(employee, partner_user, reviewer):
    board = _board(_contest("profile", profile="connector"))
    assert not board_visible_to(user=employee, board=board)
    assert not board_visible_to(user=partner_user, board=board)
    assert board_visible_to(user=reviewer, board=board)


def test_the_board_page_shows_the_top_fifty_and_two_neighbours_each_side(
    db, django_capture_on_commit_callbacks, board_store
):
    people = [UserFactory() for _ in range(56)]
    with django_capture_on_commit_callbacks(execute=True):
        _ranked(*[(person, 10 * (i + 1)) for i, person in enumerate(people)])
    board = Board("everyone", "points", "month")
    page = board_page(board=board, viewer=people[2])  # 54th of 56
    assert [r["rank"] for r in page["top"]] == list(range(1, 51))
    assert page["me"].rank == 54 and page["me"].total == 30
    assert [r["rank"] for r in page["around"]] == [52, 53, 54, 55, 56]
    assert [r["id"] for r in page["around"]] == [p.pk for p in reversed(people[:5])]
    assert page["member_id"] == people[2].pk


def test_a_person_without_a_name_is_named_by_their_address_before_the_at(db):
    kim = UserFactory(first_name="", last_name="", email="kim.lee@example.com")
    assert name_records(by_organisation=False, ids=[kim.pk]) == {kim.pk: "kim.lee\tK.\tE"}


def test_the_organisations_board_page_finds_the_viewers_organisation(
    django_capture_on_commit_callbacks, board_store
):
    # Keys no person has: the page must rank the organisation, not the person.
    acme = PartnerOrganisationFactory(pk=90_001, name="Acme Partners")
    globex = PartnerOrganisationFactory(pk=90_002, name="Globex")
    pia = PartnerUserFactory(partner_organisation=acme)
    gus = PartnerUserFactory(partner_organisation=globex)
    assert pia.pk not in {acme.pk, globex.pk}
    with django_capture_on_commit_callbacks(execute=True):
        _ranked((pia, 20), (gus, 50))
    page = board_page(board=Board("orgs", "points", "month"), viewer=pia)
    assert page["member_id"] == acme.pk
    assert (page["me"].rank, page["me"].participant_id, page["me"].total) == (2, acme.pk, 20)
    assert [(r["name"], r["total"]) for r in page["around"]] == [
        ("Globex", 50),
        ("Acme Partners", 20),
    ]


def test_rows_for_every_audience_name_employees_by_initials_only_for_partners(
    django_capture_on_commit_callbacks, board_store
):
    eva = UserFactory(first_name="Eva", last_name="Employee")
    acme = PartnerOrganisationFactory(name="Acme Partners")
    pia = PartnerUserFactory(first_name="Pia", last_name="Partner", partner_organisation=acme)
    with django_capture_on_commit_callbacks(execute=True):
        _ranked((eva, 30), (pia, 80))
    rows = board_rows_by_audience(board=Board("everyone", "points", "month"), n=5)
    assert rows[Audience.PARTNER] == [
        {"rank": 1, "id": pia.pk, "name": "Pia Partner", "total": 80},
        {"rank": 2, "id": eva.pk, "name": "E.E.", "total": 30},
    ]
    assert [r["name"] for r in rows[Audience.STAFF]] == ["Pia Partner", "Eva Employee"]
    assert (
        len(board_rows_by_audience(board=Board("everyone", "points", "month"), n=1)[Audience.STAFF])
        == 1
    )
    orgs = board_rows_by_audience(board=Board("orgs", "points", "month"), n=5)
    assert (
        orgs[Audience.PARTNER]
        == orgs[Audience.STAFF]
        == [{"rank": 1, "id": acme.pk, "name": "Acme Partners", "total": 80}]
    )
