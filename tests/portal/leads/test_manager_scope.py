# SPDX-License-Identifier: AGPL-3.0-or-later
"""A manager sees their own teams' leads, never another team's: in the list and on the
lead's page (the partner-lead test alone cannot tell, a partner lead has no team)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.roles import Role
from portal.leads.selectors import leads_visible_to
from tests.factories import TeamFactory, UserFactory, give_role, submit_lead


@pytest.fixture
def other_team_lead(program):
    other_manager = give_role(UserFactory(), Role.MANAGER)
    colleague = UserFactory(team=TeamFactory())
    colleague.team.managers.add(other_manager)
    return submit_lead(colleague, program)


@pytest.fixture
def own_team_lead(program, employee):
    return submit_lead(employee, program)


def test_the_list_shows_the_own_team_s_lead_and_not_another_team_s(
    client, manager, own_team_lead, other_team_lead
):
    client.force_login(manager)
    html = client.get(reverse("leads:list")).content.decode()
    assert reverse("leads:detail", args=[own_team_lead.pk]) in html
    assert reverse("leads:detail", args=[other_team_lead.pk]) not in html
    assert set(leads_visible_to(user=manager)) == {own_team_lead}


def test_another_team_s_lead_page_is_not_found(client, manager, own_team_lead, other_team_lead):
    client.force_login(manager)
    assert client.get(reverse("leads:detail", args=[own_team_lead.pk])).status_code == 200
    assert client.get(reverse("leads:detail", args=[other_team_lead.pk])).status_code == 404


def test_a_lead_by_someone_without_a_team_is_not_a_manager_s(client, manager, program):
    loner = submit_lead(UserFactory(), program)
    client.force_login(manager)
    assert client.get(reverse("leads:detail", args=[loner.pk])).status_code == 404
    assert loner not in leads_visible_to(user=manager)


def test_a_manager_outside_the_teams_they_manage_still_sees_their_own_leads(program, manager):
    """A manager who refers as an employee sees their own lead although they are not a
    member of the team they manage (their own leads are theirs, whatever their teams)."""
    assert manager.team_id is None
    own = submit_lead(manager, program)
    assert own in leads_visible_to(user=manager)
