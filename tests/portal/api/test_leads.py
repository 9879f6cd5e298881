# SPDX-License-Identifier: AGPL-3.0-or-later
"""Leads over the API, for every role: the web's permission matrix, PII rules, quality
rules and conflicts, transitions, errors."""

from __future__ import annotations

import pytest

from portal.accounts.models import PartnerOrganisation
from portal.leads import services as leads
from portal.leads.models import Lead
from tests.factories import PartnerUserFactory, ProgramFactory, submit_lead

ALL = [
    "employee",
    "partner_user",
    "partner_admin",
    "other_partner_admin",
    "manager",
    "reviewer",
    "finance",
]


@pytest.fixture
def world(program, employee, partner_user, partner_admin, other_partner_admin, manager, reviewer):
    """One lead per referrer: the employee (in the manager's team), a partner user and their
    partner admin (Acme), and another organisation's partner admin."""
    return {
        "employee": submit_lead(employee, program, name="Emp Lead"),
        "partner": submit_lead(partner_user, program, name="Partner Lead"),
        "partner_admin": submit_lead(partner_admin, program, name="Admin Lead"),
        "other": submit_lead(other_partner_admin, program, name="Other Lead"),
    }


# (persona) -> (leads listed, leads whose contact data is shown)
VISIBLE = {
    "employee": ({"employee"}, {"employee"}),
    "partner_user": ({"partner"}, {"partner"}),
    "partner_admin": ({"partner", "partner_admin"}, {"partner", "partner_admin"}),
    "other_partner_admin": ({"other"}, {"other"}),
    "manager": ({"employee"}, set()),
    "reviewer": (
        {"employee", "partner", "partner_admin", "other"},
        {"employee", "partner", "partner_admin", "other"},
    ),
    "finance": (set(), set()),
}


@pytest.mark.parametrize("persona", ALL)
def test_each_role_lists_exactly_the_leads_the_web_shows(request, api_as, world, persona):
    user = request.getfixturevalue(persona)
    response = api_as(user).get("/api/v1/leads/")
    assert response.status_code == 200
    by_id = {lead.pk: key for key, lead in world.items()}
    listed = {by_id[row["id"]]: row for row in response.json()["results"]}
    visible, with_contact = VISIBLE[persona]
    assert set(listed) == visible
    for key, row in listed.items():
        assert (row["contact"] is not None) == (key in with_contact), key
        if row["contact"] is None:
            assert world[key].email not in str(row)


@pytest.mark.parametrize("persona", ALL)
def test_each_role_opens_only_visible_leads_and_is_refused_the_rest(
    request, api_as, world, persona
):
    api = api_as(request.getfixturevalue(persona))
    visible, with_contact = VISIBLE[persona]
    for key, lead in world.items():
        response = api.get(f"/api/v1/leads/{lead.pk}/")
        if key in visible:
            assert response.status_code == 200
            body = response.json()
            assert body["timeline"][0]["action"] == "lead.submitted"
            assert (body["contact"] is not None) == (key in with_contact)
        else:
            assert response.status_code == 404, (persona, key)
            assert response.json()["code"] == "not_found"


def test_partner_never_sees_another_organisation_s_leads(api_as, world, partner_admin):
    api = api_as(partner_admin)
    ids = {row["id"] for row in api.get("/api/v1/leads/", {"page_size": 100}).json()["results"]}
    assert world["other"].pk not in ids and world["employee"].pk not in ids


def test_filters_and_pagination(api_as, reviewer, employee, program):
    other_program = ProgramFactory()
    for _ in range(3):
        submit_lead(employee, program)
    qualified = submit_lead(employee, other_program)
    leads.lead_qualify(lead=qualified, actor=reviewer)
    api = api_as(reviewer)
    page = api.get("/api/v1/leads/", {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    second = api.get("/api/v1/leads/", {"page_size": 2, "page": 2}).json()
    assert {r["id"] for r in page["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert api.get("/api/v1/leads/", {"status": "qualified"}).json()["count"] == 1
    assert api.get("/api/v1/leads/", {"program": other_program.pk}).json()["count"] == 1
    after = qualified.submitted_at.isoformat()
    assert api.get("/api/v1/leads/", {"submitted_after": after}).json()["count"] == 1
    assert api.get("/api/v1/leads/", {"submitted_before": after}).json()["count"] == 3
    assert api.get("/api/v1/leads/", {"page": 9}).status_code == 404


def test_bad_filters_are_field_errors(api_as, employee):
    response = api_as(employee).get(
        "/api/v1/leads/", {"status": "great", "submitted_after": "soon"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"status", "submitted_after"}


def test_listing_runs_a_bounded_number_of_queries(
    api_as, partner_admin, program, django_assert_max_num_queries
):
    for _ in range(3):
        colleague = PartnerUserFactory(partner_organisation=partner_admin.partner_organisation)
        for _ in range(4):
            submit_lead(colleague, program)
    api = api_as(partner_admin)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/leads/", {"page_size": 100}).json()["count"] == 12


# --- Submitting ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL)
def test_every_referrer_role_submits_with_source_api(request, api_as, program, persona):
    user = request.getfixturevalue(persona)
    response = api_as(user).post(
        "/api/v1/leads/",
        {
            "program": program.slug,
            "name": "Dana Buyer",
            "email": "dana@buyer.example",
            "consent": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "api" and body["referrer"]["id"] == user.pk
    assert body["contact"]["email"] == "dana@buyer.example"
    assert response["Location"] == f"/api/v1/leads/{body['id']}/"
    lead = Lead.objects.get(pk=body["id"])
    assert lead.organisation_id == user.partner_organisation_id


def test_program_by_id_and_programs_list(api_as, employee, program):
    api = api_as(employee)
    listed = api.get("/api/v1/programs/").json()
    assert [p["slug"] for p in listed] == [program.slug]
    response = api.post(
        "/api/v1/leads/",
        {"program": str(program.pk), "name": "A", "phone": "+358401234567", "consent": True},
    )
    assert response.status_code == 201


def test_bad_input_gives_field_errors_and_saves_nothing(api_as, employee, program):
    response = api_as(employee).post(
        "/api/v1/leads/",
        {"program": program.slug, "name": "", "email": "not-an-address", "consent": False},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"name", "email", "consent"} <= set(body["fields"])
    assert body["fields"]["consent"] == ["The person must agree to be contacted."]
    assert not Lead.objects.exists()


def test_wrong_types_are_field_errors(api_as, employee, program):
    response = api_as(employee).post(
        "/api/v1/leads/", {"program": program.slug, "name": ["x"], "consent": "maybe"}
    )
    assert response.status_code == 400 and {"name", "consent"} <= set(response.json()["fields"])
    assert not Lead.objects.exists()


def test_a_program_not_open_to_you_is_a_field_error(api_as, partner_user):
    employees_only = ProgramFactory(audience="employees")
    response = api_as(partner_user).post(
        "/api/v1/leads/",
        {"program": employees_only.slug, "name": "A", "email": "a@b.example", "consent": True},
    )
    assert response.status_code == 400 and "program" in response.json()["fields"]
    assert not Lead.objects.exists()


def test_malformed_json_is_a_parse_error(api_as, employee):
    api = api_as(employee)
    response = api.client.post(
        "/api/v1/leads/", "{not json", content_type="application/json", headers=api._headers(None)
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": response.json()["message"],
        "fields": {},
    }


def test_suspended_organisation_cannot_submit(api_as, partner_user, program):
    PartnerOrganisation.objects.filter(pk=partner_user.partner_organisation_id).update(
        status="suspended"
    )
    response = api_as(partner_user).post(
        "/api/v1/leads/",
        {"program": program.slug, "name": "A", "email": "a@b.example", "consent": True},
    )
    assert response.status_code == 403
    assert "suspended" in response.json()["message"]
    assert not Lead.objects.exists()


def test_quality_rules_and_conflicts_apply_as_on_the_form(api_as, employee, partner_user, program):
    api = api_as(employee)
    own = api.post(
        "/api/v1/leads/",
        {"program": program.slug, "name": "Me", "email": employee.email, "consent": True},
    )
    assert own.status_code == 201
    assert own.json()["status"] == "rejected" and own.json()["rejection_reason"] == "self_referral"
    assert own.json()["status_note"] == "You cannot refer yourself."
    first = submit_lead(partner_user, program, email="buyer@target.example")
    dup = api.post(
        "/api/v1/leads/",
        {
            "program": program.slug,
            "name": "Buyer",
            "email": "buyer@target.example",
            "consent": True,
        },
    )
    body = dup.json()
    assert dup.status_code == 201 and body["has_conflict"] is True
    assert [f["rule"] for f in body["flags"]] == ["duplicate"]
    # Another organisation referred them first: known, but not when or by whom (issue 13).
    assert body["flags"][0]["message"] == "This contact is already known to us."
    assert str(first.pk) not in body["flags"][0]["message"]
    assert "conflict_with" not in body  # which lead (and whose) it matched stays hidden
    assert first.pk != body["id"]


# --- Transitions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["employee", "partner_user", "partner_admin", "manager", "finance"]
)
@pytest.mark.parametrize("action", ["start-review", "qualify", "reject", "win", "lose", "reverse"])
def test_only_reviewers_change_a_lead_s_status(request, api_as, world, persona, action):
    lead = world["partner"]
    response = api_as(request.getfixturevalue(persona)).post(
        f"/api/v1/leads/{lead.pk}/{action}/",
        {"reason": "not_a_fit", "deal_value": "10", "currency": "EUR"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    lead.refresh_from_db()
    assert lead.status == "submitted"


def test_a_reviewer_walks_a_lead_to_won(api_as, reviewer, world):
    api = api_as(reviewer)
    lead = world["partner"]
    assert api.post(f"/api/v1/leads/{lead.pk}/start-review/").json()["status"] == "in_review"
    qualified = api.post(f"/api/v1/leads/{lead.pk}/qualify/", {"note": "Good fit"}).json()
    assert qualified["status"] == "qualified" and qualified["status_note"] == "Good fit"
    won = api.post(
        f"/api/v1/leads/{lead.pk}/win/", {"deal_value": "2500.50", "currency": "eur"}
    ).json()
    assert (
        won["status"] == "won" and won["deal_value"] == "2500.50" and won["deal_currency"] == "EUR"
    )
    assert [e["action"] for e in won["timeline"]] == [
        "lead.submitted",
        "lead.start_review",
        "lead.qualify",
        "lead.win",
    ]
    assert won["timeline"][-1]["actor"]["id"] == reviewer.pk  # reviewers see who acted
    reversed_ = api.post(f"/api/v1/leads/{lead.pk}/reverse/", {"reason": "Refund"}).json()
    assert reversed_["deal_reversed_at"] is not None


def test_the_submitter_does_not_see_who_reviewed(api_as, reviewer, partner_user, world):
    leads.lead_qualify(lead=world["partner"], actor=reviewer)
    timeline = api_as(partner_user).get(f"/api/v1/leads/{world['partner'].pk}/").json()["timeline"]
    assert all(event["actor"] is None for event in timeline)


def test_reject_lose_and_their_field_errors(api_as, reviewer, world):
    api = api_as(reviewer)
    lead = world["employee"]
    missing = api.post(f"/api/v1/leads/{lead.pk}/reject/", {})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    rejected = api.post(
        f"/api/v1/leads/{lead.pk}/reject/", {"reason": "not_a_fit", "note": "One seat only"}
    )
    assert rejected.json()["status"] == "rejected"
    other = world["other"]
    api.post(f"/api/v1/leads/{other.pk}/start-review/")
    blank = api.post(f"/api/v1/leads/{other.pk}/lose/", {"reason": "  "})
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    assert (
        api.post(f"/api/v1/leads/{other.pk}/lose/", {"reason": "Went elsewhere"}).json()[
            "lost_reason"
        ]
        == "Went elsewhere"
    )


def test_bad_deal_values_are_field_errors(api_as, reviewer, world):
    api = api_as(reviewer)
    lead = world["employee"]
    api.post(f"/api/v1/leads/{lead.pk}/qualify/")
    for payload, field in [
        ({"deal_value": "-5", "currency": "EUR"}, "deal_value"),
        ({"deal_value": "abc", "currency": "EUR"}, "deal_value"),
        ({"deal_value": "10", "currency": "E1"}, "currency"),
    ]:
        response = api.post(f"/api/v1/leads/{lead.pk}/win/", payload)
        assert response.status_code == 400 and field in response.json()["fields"], payload
    lead.refresh_from_db()
    assert lead.status == "qualified"


def test_illegal_transitions_are_409(api_as, reviewer, world):
    api = api_as(reviewer)
    lead = world["employee"]
    response = api.post(f"/api/v1/leads/{lead.pk}/win/", {"deal_value": "10", "currency": "EUR"})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "submitted" in response.json()["message"]
    assert api.post(f"/api/v1/leads/{lead.pk}/reverse/", {"reason": "x"}).status_code == 409


def test_reviewers_never_review_their_own_lead(api_as, reviewer, program):
    own = submit_lead(reviewer, program)
    response = api_as(reviewer).post(f"/api/v1/leads/{own.pk}/qualify/")
    assert response.status_code == 403


def test_unknown_leads_are_404(api_as, reviewer):
    api = api_as(reviewer)
    assert api.post("/api/v1/leads/999999/qualify/").status_code == 404
    assert api.get(f"/api/v1/leads/{2**70}/").status_code == 404


def test_submitters_withdraw_their_own_lead_only(
    api_as, partner_user, partner_admin, other_partner_admin, world
):
    lead = world["partner"]
    assert api_as(other_partner_admin).post(f"/api/v1/leads/{lead.pk}/withdraw/").status_code == 404
    refused = api_as(partner_admin).post(f"/api/v1/leads/{lead.pk}/withdraw/")
    assert refused.status_code == 403  # visible to the partner admin, but not theirs
    done = api_as(partner_user).post(f"/api/v1/leads/{lead.pk}/withdraw/", {"note": "Dup"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    again = api_as(partner_user).post(f"/api/v1/leads/{lead.pk}/withdraw/")
    assert again.status_code == 409


def test_anonymous_requests_are_401(anonymous_api, world):
    for path in ["/api/v1/leads/", f"/api/v1/leads/{world['employee'].pk}/", "/api/v1/programs/"]:
        response = anonymous_api.get(path)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert anonymous_api.post("/api/v1/leads/", {}).status_code == 401
