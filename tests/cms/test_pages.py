# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every page type renders, with its live data and, when the data is missing, with quiet
placeholders instead of errors."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from cms.models import (
    AgreementPage,
    AnnouncementPage,
    ArticlePage,
    FAQPage,
    GuideIndexPage,
    ProgramPage,
    RewardCatalogPage,
)
from leaderboard.models import Contest
from portal.rewards.models import PointRule, RewardItem, Tier
from tests.factories import ProgramFactory, submit_lead

from .conftest import publish


def _text(html):
    return {"type": "text", "value": html}


LIVE_BLOCKS = [
    {
        "type": "leaderboard",
        "value": {
            "title": "Top five",
            "scope": "everyone",
            "metric": "points",
            "period": "month",
            "top_n": 5,
        },
    },
    {"type": "reward_catalog", "value": {"title": "Treats", "kind": "", "limit": 3}},
    {"type": "my_progress", "value": {"program": ""}},
    {"type": "share", "value": {"text": "Share your link"}},
]


def test_home_page_shows_the_top_five_and_the_latest_news(
    client, home, news, employee, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # boards update after commit
        submit_lead(employee, program)
    publish(
        news,
        AnnouncementPage(
            title="Top referrers of October", slug="october", summary="October's winners"
        ),
    )
    client.force_login(employee)
    body = client.get("/").content.decode()
    assert employee.public_name in body
    assert 'data-limit="5"' in body  # the live widget
    assert "Top referrers of October" in body
    assert "October&#x27;s winners" in body or "October's winners" in body


def test_home_page_for_visitors_asks_to_log_in_for_the_board(client, home):
    body = client.get("/").content.decode()
    assert "Log in to see who leads this month." in body
    assert "No announcements yet." in body


def test_program_page_renders_tiers_points_and_rewards_from_the_configuration(
    client, home, employee
):
    program = ProgramFactory(name="Customer referrals")
    Tier.objects.create(program=program, name="Silver", threshold=200, perks="Lunch with the CEO")
    PointRule.objects.create(program=program, event="qualified", points=75)
    RewardItem.objects.create(name="Team hoodie", kind="swag", points_price=150)
    publish(home, ProgramPage(title="How it works", slug="how", program=program))
    client.force_login(employee)
    body = client.get("/how/").content.decode()
    assert "Silver" in body and "200+" in body and "Lunch with the CEO" in body
    assert "+75" in body  # the configured rule, not the default 50
    assert "Team hoodie" in body


def test_program_page_without_a_program_shows_placeholders(client, home):
    program = ProgramFactory()
    page = publish(home, ProgramPage(title="How it works", slug="how", program=program))
    program.delete()  # the data source disappears
    page.refresh_from_db()
    response = client.get("/how/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "This program has no tiers yet." in body
    assert "Point rules appear here once the program is chosen." in body
    assert "The reward catalog is empty for now." in body


def test_article_with_live_blocks_renders_them_for_a_participant(
    client, home, employee, program, django_capture_on_commit_callbacks
):
    Tier.objects.create(program=program, name="Gold", threshold=500)
    RewardItem.objects.create(name="Cinema tickets", kind="experience", points_price=90)
    with django_capture_on_commit_callbacks(execute=True):
        submit_lead(employee, program)
    publish(
        home,
        ArticlePage(
            title="Guide",
            slug="guide",
            body=[
                _text("<p>Plain words first.</p>"),
                *LIVE_BLOCKS,
                {"type": "tier_table", "value": {"program": str(program.pk)}},
            ],
        ),
    )
    client.force_login(employee)
    body = client.get("/guide/").content.decode()
    assert "Plain words first." in body
    assert "Top five" in body and employee.public_name in body
    assert "Cinema tickets" in body
    assert "Your progress" in body and "500" in body  # my progress toward Gold
    assert "/r/" in body  # the reader's own referral link
    assert "Gold" in body


def test_article_live_blocks_are_quiet_placeholders_for_visitors(client, home, program):
    publish(home, ArticlePage(title="Guide", slug="guide", body=LIVE_BLOCKS))
    response = client.get("/guide/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Log in to see the leaderboard." in body
    assert "Log in to see your own progress." in body
    assert "Log in to get your referral link" in body
    assert "No rewards to show here right now." in body


def test_blocks_whose_data_source_was_deleted_render_placeholders(client, home, employee):
    program = ProgramFactory()
    contest = Contest.objects.create(
        name="Sprint",
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=3),
        prizes="A trophy",
    )
    publish(
        home,
        ArticlePage(
            title="Guide",
            slug="guide",
            body=[
                {"type": "tier_table", "value": {"program": str(program.pk)}},
                {"type": "contest_countdown", "value": {"contest": str(contest.pk)}},
                {"type": "my_progress", "value": {"program": str(program.pk)}},
            ],
        ),
    )
    client.force_login(employee)
    body = client.get("/guide/").content.decode()
    assert "Sprint" in body and "Ends in" in body and "A trophy" in body
    program.delete()
    contest.delete()
    response = client.get("/guide/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The tier table will appear here once the program has tiers." in body
    assert "This contest is no longer available." in body
    assert "Your progress shows here once the program has tiers." in body


def test_faq_page_lists_questions_with_structured_data(client, home):
    publish(
        home,
        FAQPage(
            title="FAQ",
            slug="faq",
            questions=[
                {
                    "type": "question",
                    "value": {
                        "question": "When are commissions paid?",
                        "answer": "<p>Monthly, after a 30-day hold.</p>",
                    },
                },
                {
                    "type": "question",
                    "value": {
                        "question": "Who sees my contacts?",
                        "answer": "<p>You & reviewers <b>only</b>.</p>",
                    },
                },
            ],
        ),
    )
    body = client.get("/faq/").content.decode()
    assert "When are commissions paid?" in body and "Monthly, after a 30-day hold." in body
    start = body.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(body[start : body.index("</script>", start)])
    assert data["@type"] == "FAQPage"
    assert [q["name"] for q in data["mainEntity"]] == [
        "When are commissions paid?",
        "Who sees my contacts?",
    ]
    assert data["mainEntity"][1]["acceptedAnswer"]["text"] == "You & reviewers only."


def test_empty_faq_and_guide_index_render(client, home):
    publish(home, FAQPage(title="FAQ", slug="faq", questions=[]))
    guides = publish(home, GuideIndexPage(title="Guides", slug="guides"))
    assert "No questions yet." in client.get("/faq/").content.decode()
    assert "No guides yet." in client.get("/guides/").content.decode()
    publish(
        guides,
        ArticlePage(
            title="Good referrals", slug="good", summary="Three habits", body=[_text("<p>x</p>")]
        ),
    )
    body = client.get("/guides/").content.decode()
    assert "Good referrals" in body and "Three habits" in body


def test_announcement_index_and_page(client, home, news):
    body = client.get("/news/").content.decode()
    assert "No announcements yet." in body
    publish(
        news,
        AnnouncementPage(
            title="New rewards",
            slug="new-rewards",
            summary="Three new experiences",
            body=[_text("<p>Enjoy</p>")],
        ),
    )
    assert "New rewards" in client.get("/news/").content.decode()
    body = client.get("/news/new-rewards/").content.decode()
    assert "Three new experiences" in body and "Enjoy" in body


def test_reward_catalog_page_with_and_without_rewards(client, home, employee):
    publish(home, RewardCatalogPage(title="Rewards", slug="reward-catalog"))
    assert "The reward catalog is empty for now." in client.get("/reward-catalog/").content.decode()
    RewardItem.objects.create(name="Extra day off", kind="day_off", points_price=600)
    body = client.get("/reward-catalog/").content.decode()
    assert "Extra day off" in body and "Log in to redeem" in body
    client.force_login(employee)
    body = client.get("/reward-catalog/").content.decode()
    assert "Need more points" in body  # eligibility for the reader


def test_agreement_page_renders_for_partners(client, home, partner_user):
    publish(
        home,
        AgreementPage(
            title="Partner agreement",
            slug="agreement",
            audience="partners",
            version=2,
            changes="Longer hold",
            body="<p>The terms</p>",
        ),
    )
    client.force_login(partner_user)
    body = client.get("/agreement/").content.decode()
    assert "The terms" in body and "Version 2" in body and "Longer hold" in body
    assert "Accept the agreement" in body


def test_search_finds_pages_of_every_type_with_a_summary_line(client, home, news):
    publish(
        home,
        ProgramPage(
            title="Commission rules",
            slug="rules",
            search_description="How commissions are paid",
            intro="<p>Commission is paid monthly.</p>",
        ),
    )
    publish(
        home,
        FAQPage(
            title="Commission questions",
            slug="faq",
            questions=[
                {"type": "question", "value": {"question": "Commission?", "answer": "<p>Yes</p>"}},
            ],
        ),
    )
    publish(news, AnnouncementPage(title="Commission news", slug="c-news", summary="Higher rates"))
    response = client.get("/search/", {"q": "commission"})
    assert response.status_code == 200
    body = response.content.decode()
    for title in ("Commission rules", "Commission questions", "Commission news"):
        assert title in body
    assert "How commissions are paid" in body and "Higher rates" in body
    assert "3 pages found" in body


def test_empty_and_unmatched_searches(client, home):
    assert client.get("/search/").status_code == 200
    body = client.get("/search/", {"q": "nothing-matches-this"}).content.decode()
    assert "0 pages found" in body


def test_articles_carry_share_buttons_and_open_graph_tags(client, home):
    publish(
        home,
        ArticlePage(
            title="How to refer well",
            slug="how-to-refer",
            summary="Three habits of good referrers.",
            body=[_text("<p>Be specific.</p>")],
        ),
    )
    html = client.get("/how-to-refer/").content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="How to refer well">' in html
    assert '<meta property="og:description" content="Three habits of good referrers.">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    for target in ("facebook.com/sharer", "linkedin.com/sharing", "x.com/intent", "wa.me"):
        assert target in html
    assert "data-copy-text=" in html
