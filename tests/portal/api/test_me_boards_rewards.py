# SPDX-License-Identifier: AGPL-3.0-or-later
"""Me, leaderboards and rewards over the API: same visibility as the pages."""

from __future__ import annotations

import pytest

from leaderboard.models import Contest
from portal.leads import services as leads
from portal.rewards.models import Redemption, RewardItem, Tier
from portal.rewards.selectors import balance_of
from portal.rewards.services import ledger_add
from tests.factories import TeamFactory, UserFactory, submit_lead

from .test_leads import ALL


@pytest.mark.parametrize("persona", ALL)
def test_me_answers_for_every_role(request, api_as, persona):
    user = request.getfixturevalue(persona)
    body = api_as(user).get("/api/v1/me/").json()
    assert body["id"] == user.pk and body["email"] == user.email
    if user.partner_organisation_id:
        assert body["organisation"]["id"] == user.partner_organisation_id
        assert "partner_user" in body["roles"]
    else:
        assert body["organisation"] is None and "employee" in body["roles"]


def test_me_shows_points_tier_badges_and_rank(
    django_capture_on_commit_callbacks, api_as, employee, reviewer, program
):
    Tier.objects.create(program=program, name="Bronze", threshold=50)
    Tier.objects.create(program=program, name="Silver", threshold=500)
    rival = UserFactory(team=employee.team)
    with django_capture_on_commit_callbacks(execute=True):  # boards move after commit
        submit_lead(rival, program)
        lead = submit_lead(employee, program)
        leads.lead_qualify(lead=lead, actor=reviewer)  # +10 +50
    body = api_as(employee).get("/api/v1/me/").json()
    assert body["points"] == 60 == balance_of(participant=employee)
    tier = body["tiers"][0]
    assert tier["tier"]["name"] == "Bronze" and tier["next_tier"]["name"] == "Silver"
    assert tier["to_next"] == 440
    assert "first-referral" in {b["slug"] for b in body["badges"]}
    ranks = {r["board"]: r for r in body["ranks"]}
    assert (
        ranks["everyone.points.month"]["rank"] == 1
        and ranks["everyone.points.month"]["total"] == 60
    )
    assert ranks[f"team:{employee.team_id}.points.month"]["rank"] == 1
    assert "partners.points.month" not in ranks  # employees do not see the partners' board
    alltime = api_as(rival).get("/api/v1/me/", {"period": "all"}).json()
    assert {r["board"]: r["rank"] for r in alltime["ranks"]}["everyone.points.all"] == 2
    assert api_as(employee).get("/api/v1/me/", {"metric": "fame"}).status_code == 400


def test_partners_rank_as_their_organisation_on_org_boards(
    django_capture_on_commit_callbacks, api_as, partner_user, program
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_lead(partner_user, program)
    ranks = {r["board"]: r for r in api_as(partner_user).get("/api/v1/me/").json()["ranks"]}
    assert set(ranks) == {"everyone.points.month", "partners.points.month", "orgs.points.month"}
    assert ranks["orgs.points.month"]["rank"] == 1


def test_board_lists_follow_the_web_s_visibility(api_as, employee, partner_user, manager):
    employee_boards = {b["scope"] for b in api_as(employee).get("/api/v1/boards/").json()}
    assert employee_boards == {"everyone", "employees", "orgs", f"team:{employee.team_id}"}
    partner_boards = {b["scope"] for b in api_as(partner_user).get("/api/v1/boards/").json()}
    assert partner_boards == {"everyone", "partners", "orgs"}
    manager_boards = {b["scope"] for b in api_as(manager).get("/api/v1/boards/").json()}
    assert f"team:{employee.team_id}" in manager_boards  # the team they lead


def test_a_board_page_has_top_and_my_rank(
    django_capture_on_commit_callbacks, api_as, employee, partner_user, program
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_lead(employee, program)
    body = api_as(employee).get("/api/v1/boards/everyone.points.month/", {"n": 5}).json()
    assert body["board"]["label"] == "Everyone"
    assert body["top"][0]["id"] == employee.pk and body["me"] == {"rank": 1, "total": 10}
    # partners see employees by initials
    seen = api_as(partner_user).get("/api/v1/boards/everyone.points.month/").json()
    assert seen["top"][0]["name"] == employee.initials and seen["me"] is None


@pytest.mark.parametrize(
    "persona,board,status",
    [
        ("partner_user", "employees.points.month", 403),
        ("employee", "partners.points.week", 403),
        ("other_partner_admin", "employees.won.all", 403),
        ("employee", "team:999999.points.month", 403),
        ("employee", "everyone.fame.month", 404),
        ("employee", "nowhere.points.month", 404),
        ("employee", "team:abc.points.month", 404),
        ("employee", "contest:999.points.all", 404),
        ("employee", "everyone.points.month", 200),
        ("reviewer", "partners.qualified.quarter", 200),
        ("finance", "orgs.won.all", 200),
    ],
)
def test_board_pages_allowed_and_refused(request, api_as, persona, board, status):
    assert (
        api_as(request.getfixturevalue(persona)).get(f"/api/v1/boards/{board}/").status_code
        == status
    )


def test_another_team_s_board_is_refused(api_as, employee):
    other = TeamFactory()
    response = api_as(employee).get(f"/api/v1/boards/team:{other.pk}.points.month/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_contest_boards(api_as, employee):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    contest = Contest.objects.create(
        name="Spring push", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6)
    )
    listed = {b["id"] for b in api_as(employee).get("/api/v1/boards/").json()}
    assert f"{contest.board_scope}.points.all" in listed
    assert (
        api_as(employee).get(f"/api/v1/boards/{contest.board_scope}.points.all/").status_code == 200
    )
    assert (
        api_as(employee).get(f"/api/v1/boards/{contest.board_scope}.points.week/").status_code
        == 404
    )


# --- Rewards -----------------------------------------------------------------------------------


@pytest.fixture
def mug(db):
    return RewardItem.objects.create(name="Mug", kind="swag", points_price=30, stock=2)


@pytest.mark.parametrize("persona", ALL)
def test_every_participant_sees_the_catalog(request, api_as, mug, persona):
    items = api_as(request.getfixturevalue(persona)).get("/api/v1/rewards/catalog/").json()
    assert [(i["name"], i["affordable"], i["eligible"]) for i in items] == [("Mug", False, True)]


def test_redeem_spends_points_and_refuses_what_cannot_be_had(api_as, employee, program, mug):
    api = api_as(employee)
    refused = api.post(f"/api/v1/rewards/catalog/{mug.pk}/redeem/")
    assert refused.status_code == 409 and refused.json()["code"] == "redemption_refused"
    assert "0 points" in refused.json()["message"]
    ledger_add(participant=employee, amount=100, event="adjustment", reason="test")
    done = api.post(f"/api/v1/rewards/catalog/{mug.pk}/redeem/")
    assert done.status_code == 201
    assert (
        done.json()["item"] == {"id": mug.pk, "name": "Mug"}
        and done.json()["status"] == "requested"
    )
    assert balance_of(participant=employee) == 70
    gold = Tier.objects.create(program=program, name="Gold", threshold=1000)
    vip = RewardItem.objects.create(name="Trip", kind="experience", points_price=1)
    vip.eligible_tiers.add(gold)
    assert api.post(f"/api/v1/rewards/catalog/{vip.pk}/redeem/").status_code == 409
    gone = RewardItem.objects.create(name="Old", kind="swag", points_price=1, is_active=False)
    assert api.post(f"/api/v1/rewards/catalog/{gone.pk}/redeem/").status_code == 404
    assert Redemption.objects.count() == 1
