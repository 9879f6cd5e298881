# SPDX-License-Identifier: AGPL-3.0-or-later
"""Editors work in the Wagtail admin: reviewers anywhere in the tree, managers only in the
announcements section; page types follow their parent/child rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import AnnouncementPage, ArticlePage, ProgramPage

from .conftest import publish


def _add_url(model: str, parent: Page) -> str:
    return f"/admin/pages/add/cms/{model}/{parent.pk}/"


def _page_form(**fields):
    return nested_form_data(
        {
            "audience": "public",
            "audience_tier": "",
            "comments": inline_formset([]),
            **fields,
        }
    )


def test_reviewer_creates_a_guide_with_live_blocks_through_the_admin(client, home, reviewer):
    client.force_login(reviewer)
    data = _page_form(
        title="Winning referrals",
        slug="winning",
        summary="What works",
        body=streamfield(
            [
                ("text", rich_text("<p>Ask first, then refer.</p>")),
                (
                    "leaderboard",
                    {
                        "title": "Leaders",
                        "scope": "everyone",
                        "metric": "points",
                        "period": "month",
                        "top_n": "5",
                    },
                ),
                ("quote", {"quote": "Refer people you trust.", "attribution": "Emma"}),
            ]
        ),
    )
    data["action-publish"] = "action-publish"
    response = client.post(_add_url("articlepage", home), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ArticlePage.objects.get(slug="winning")
    assert page.live
    assert [block.block_type for block in page.body] == ["text", "leaderboard", "quote"]
    body = client.get("/winning/").content.decode()
    assert "Ask first, then refer." in body and "Refer people you trust." in body


def test_a_slug_the_portal_uses_is_refused_and_nothing_is_saved(client, home, reviewer):
    client.force_login(reviewer)
    data = _page_form(title="Rewards", slug="rewards", summary="", body=streamfield([]))
    data["action-publish"] = "action-publish"
    response = client.post(_add_url("articlepage", home), data)
    assert response.status_code == 200
    assert "/rewards/ is an address of the portal itself" in response.content.decode()
    assert not ArticlePage.objects.exists()


def test_a_partner_tier_page_needs_its_tier(client, home, reviewer):
    client.force_login(reviewer)
    data = _page_form(title="Gold", slug="gold", summary="", body=streamfield([]))
    data["audience"] = "partner_tier"
    data["action-publish"] = "action-publish"
    response = client.post(_add_url("articlepage", home), data)
    assert response.status_code == 200
    assert "Choose the lowest tier that may see it." in response.content.decode()
    assert not ArticlePage.objects.exists()


def test_manager_writes_and_schedules_an_announcement(client, news, manager):
    client.force_login(manager)
    go_live = timezone.localtime() + timedelta(days=1)
    data = _page_form(
        title="Sprint results",
        slug="sprint-results",
        summary="And the winners are…",
        body=streamfield([("text", rich_text("<p>Congratulations!</p>"))]),
        snapshot_scope="",
        snapshot_metric="points",
        snapshot_period="month",
        snapshot_previous_period="on",
        snapshot_top_n="10",
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
    )
    data["action-publish"] = "action-publish"
    response = client.post(_add_url("announcementpage", news), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = AnnouncementPage.objects.get(slug="sprint-results")
    assert not page.live  # scheduled, not yet published
    assert page.scheduled_revision is not None


def test_manager_cannot_edit_outside_the_announcements_section(client, home, news, manager):
    program_page = publish(home, ProgramPage(title="How it works", slug="how"))
    client.force_login(manager)
    for page in (home, program_page):
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        # Wagtail's refusal: back to the admin home with "you do not have permission".
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    data = _page_form(title="Rogue", slug="rogue", summary="", body=streamfield([]))
    data["action-publish"] = "action-publish"
    response = client.post(_add_url("articlepage", home), data)
    assert response.status_code in {302, 403}
    assert not ArticlePage.objects.filter(slug="rogue").exists()
    # Publishing changes to the program page is refused too.
    response = client.post(
        f"/admin/pages/{program_page.pk}/edit/",
        _page_form(
            title="Hijacked",
            slug="how",
            intro=rich_text(""),
            body=streamfield([]),
            **{"action-publish": "action-publish"},
        ),
    )
    program_page.refresh_from_db()
    assert program_page.title == "How it works"


@pytest.mark.parametrize("persona", ["employee", "partner_user", "partner_admin"])
def test_participants_never_reach_the_page_editor(client, request, home, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code == 403


def test_page_types_follow_their_parent_rules(client, home, news, reviewer):
    client.force_login(reviewer)
    # An announcement belongs in the announcements section, not under the home page.
    response = client.get(_add_url("announcementpage", home))
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"] == "/admin/"  # Wagtail: "Sorry, you do not have access"
    assert ArticlePage.can_create_at(news) is False
    assert AnnouncementPage.can_create_at(news) is True
