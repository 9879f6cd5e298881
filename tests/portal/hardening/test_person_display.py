# SPDX-License-Identifier: AGPL-3.0-or-later
"""One rule for how a person appears: a partner never receives an employee's full name,
whatever the channel (board page, TV screen and ticker, shout-out card and toast, API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leaderboard.screens import tv_screen_create
from leaderboard.services import shoutout_post
from portal.leads import services as leads
from portal.rewards.services import ledger_add
from tests.factories import UserFactory, submit_lead

FULL = "Eva Employee"


@pytest.fixture
def eva(db):
    return UserFactory(first_name="Eva", last_name="Employee")


@pytest.fixture
def on_the_board(eva, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ledger_add(participant=eva, amount=50, event="adjustment", reason="t")
    return eva


def test_a_tv_screen_of_a_board_partners_see_shows_initials(
    client, manager, on_the_board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shoutout_post(author=manager, about=on_the_board, message="Star of the week")
    _screen, token = tv_screen_create(actor=manager, name="Lobby", boards="everyone.points.month")
    html = client.get(reverse("leaderboard:tv") + f"?token={token}").content.decode()
    assert "Star of the week" in html  # the ticker
    assert "E.E." in html and FULL not in html


def test_a_tv_screen_of_an_employees_board_shows_names(client, manager, on_the_board):
    _screen, token = tv_screen_create(actor=manager, name="Office", boards="employees.points.month")
    html = client.get(reverse("leaderboard:tv") + f"?token={token}").content.decode()
    assert FULL in html


def test_a_partner_reads_shoutout_cards_with_initials(
    client, partner_user, manager, on_the_board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shoutout_post(author=manager, about=on_the_board, message="Star of the week")
    client.force_login(partner_user)
    html = client.get(reverse("leaderboard:board", args=["everyone.points.month"])).content
    html = html.decode()
    assert "Star of the week" in html and FULL not in html
    assert manager.public_name not in html


def test_the_shoutout_toast_carries_no_full_name(
    manager, eva, monkeypatch, django_capture_on_commit_callbacks
):
    from portal.accounts.display import Audience

    sent = []
    monkeypatch.setattr("leaderboard.services.celebrate", lambda **k: sent.append(k))
    with django_capture_on_commit_callbacks(execute=True):
        shoutout_post(author=manager, about=eva, message="Great work")
    [toast] = sent  # one toast, written once per audience
    partners = toast["text_for"](Audience.PARTNER)
    assert "Great work" in partners and "E.E." in partners
    assert FULL not in partners and manager.public_name not in partners
    assert FULL in toast["text_for"](Audience.STAFF)


def test_a_partner_reads_employees_by_initials_in_the_api(client, partner_user, on_the_board):
    from portal.api.services import api_token_create

    _token, raw = api_token_create(user=partner_user, name="t", actor=partner_user)
    response = client.get(
        reverse("api:board", args=["everyone.points.month"]), HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    assert "E.E." in response.content.decode() and FULL not in response.content.decode()


def test_a_partner_never_reads_the_reviewer_who_decided_in_the_api(
    client, partner_user, reviewer, program
):
    from portal.api.services import api_token_create

    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.save()
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    _token, raw = api_token_create(user=partner_user, name="t", actor=partner_user)
    data = client.get(reverse("api:lead", args=[lead.pk]), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert "Rita Reviewer" not in data.content.decode()
    assert data.json()["referrer"]["name"] == partner_user.public_name


def test_a_partner_reads_raffle_entrants_who_are_employees_by_initials(
    client, partner_user, eva, reviewer, program
):
    from datetime import timedelta

    from django.utils import timezone

    from portal.rewards.models import Raffle
    from portal.rewards.raffles import raffle_draw

    raffle = Raffle.objects.create(
        name="Spring raffle",
        prize="Bike",
        starts_at=timezone.now() - timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5),
    )
    leads.lead_qualify(lead=submit_lead(eva, program), actor=reviewer)
    Raffle.objects.filter(pk=raffle.pk).update(ends_at=timezone.now())
    raffle_draw(raffle=raffle, seed="published-seed")
    client.force_login(partner_user)
    html = client.get(reverse("rewards:raffle", args=[raffle.pk])).content.decode()
    assert "published-seed" in html and "E.E." in html and FULL not in html
