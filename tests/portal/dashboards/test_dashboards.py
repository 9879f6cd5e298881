# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

# dashboard url name -> personas allowed to open it
ALLOWED = {
    "dashboards:employee": {"employee", "manager", "reviewer", "finance"},
    "dashboards:partner": {"partner_user", "partner_admin"},
    "dashboards:organisation": {"partner_admin"},
    "dashboards:team": {"manager"},
    "dashboards:review": {"reviewer"},
    "dashboards:finance": {"finance"},
}


@pytest.mark.parametrize("url_name", sorted(ALLOWED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_dashboard_is_open_to_its_roles_and_refused_to_the_others(
    client, request, url_name, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse(url_name))
    if persona in ALLOWED[url_name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url_name", sorted(ALLOWED))
def test_anonymous_visitors_are_sent_to_log_in(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("employee", "dashboards:employee"),
        ("partner_user", "dashboards:partner"),
        ("partner_admin", "dashboards:partner"),
        ("manager", "dashboards:team"),
        ("reviewer", "dashboards:review"),
        ("finance", "dashboards:finance"),
    ],
)
def test_dashboard_link_lands_on_the_role_s_own_dashboard(db, client, request, persona, landing):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dashboards:home"))
    assert response["Location"] == reverse(landing)


def test_navigation_shows_only_the_role_s_areas(client, partner_user):
    client.force_login(partner_user)
    html = client.get(reverse("dashboards:partner")).content.decode()
    assert reverse("dashboards:partner") in html
    assert reverse("dashboards:review") not in html
    assert 'href="/admin/"' not in html


def test_manager_sees_the_members_of_the_teams_they_lead(client, manager, employee):
    client.force_login(manager)
    html = client.get(reverse("dashboards:team")).content.decode()
    assert employee.team.name in html
    assert employee.email in html


def test_empty_states_explain_what_comes_next(client, employee):
    client.force_login(employee)
    html = client.get(reverse("dashboards:employee")).content.decode()
    assert "No referrals yet" in html


def test_dashboard_queries_do_not_grow_with_team_size(
    client, manager, employee, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    client.force_login(manager)
    for _ in range(25):
        UserFactory(team=employee.team)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboards:team")).status_code == 200
