# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages restricted to employees, partners or a partner tier: shown to their audience,
hidden from everyone else's menus, search and sitemap, and refused when asked for."""

from __future__ import annotations

import pytest

from cms.models import ArticlePage, GuideIndexPage
from portal.rewards.models import Tier, TierStatus
from tests.factories import ProgramFactory

from .conftest import publish


def _page(parent, slug, audience, tier=None, title=None):
    return publish(
        parent,
        ArticlePage(
            title=title or f"Secret {slug}",
            slug=slug,
            audience=audience,
            audience_tier=tier,
            show_in_menus=True,
            summary="searchable",
            body=[{"type": "text", "value": f"<p>Zebracorn facts for {slug}</p>"}],
        ),
    )


@pytest.fixture
def gold(db):
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Silver", threshold=100)
    return Tier.objects.create(program=program, name="Gold", threshold=500)


@pytest.fixture
def gold_partner(partner_user, gold):
    TierStatus.objects.create(participant=partner_user, program=gold.program, tier=gold)
    return partner_user


@pytest.fixture
def pages(home, gold):
    return {
        "public": _page(home, "open", "public"),
        "participants": _page(home, "members", "participants"),
        "employees": _page(home, "staff-only", "employees"),
        "partners": _page(home, "partners-only", "partners"),
        "partner_tier": _page(home, "gold-partners", "partner_tier", tier=gold),
    }


# who → audiences they may see (reviewers edit the content: they see it all)
ALLOWED = {
    "visitor": {"public"},
    "employee": {"public", "participants", "employees"},
    "manager": {"public", "participants", "employees"},
    "finance": {"public", "participants", "employees"},
    "partner_user": {"public", "participants", "partners"},
    "gold_partner": {"public", "participants", "partners", "partner_tier"},
    "reviewer": {"public", "participants", "employees", "partners", "partner_tier"},
}


def _client_for(client, request, who):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.mark.parametrize("who", list(ALLOWED))
def test_each_audience_sees_its_pages_and_nobody_elses(client, request, pages, who):
    client = _client_for(client, request, who)
    for audience, page in pages.items():
        response = client.get(page.url)
        if audience in ALLOWED[who]:
            assert response.status_code == 200, (who, audience)
            assert f"Zebracorn facts for {page.slug}" in response.content.decode()
        elif who == "visitor":
            assert response.status_code == 302, audience
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404, (who, audience)


@pytest.mark.parametrize("who", list(ALLOWED))
def test_menus_and_search_list_only_what_the_reader_may_see(client, request, pages, who):
    client = _client_for(client, request, who)
    menu = client.get("/").content.decode().split('class="subnav"')[1].split("</nav>")[0]
    results = client.get("/search/", {"q": "Zebracorn"}).content.decode()
    for audience, page in pages.items():
        visible = audience in ALLOWED[who]
        assert (f'href="{page.url}"' in menu) is visible, (who, audience, "menu")
        assert (f'href="{page.url}"' in results) is visible, (who, audience, "search")


def test_sitemap_lists_only_public_pages(client, home, pages):
    guides = publish(home, GuideIndexPage(title="Guides", slug="guides", audience="partners"))
    below = _page(guides, "below-partner-section", "public")
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/open/" in sitemap
    for audience in ["participants", "employees", "partners", "partner_tier"]:
        assert pages[audience].url not in sitemap
    assert below.url not in sitemap  # restricted by its parent


def test_a_restriction_covers_the_pages_below(client, home, employee):
    guides = publish(home, GuideIndexPage(title="Guides", slug="guides", audience="partners"))
    child = _page(guides, "open-child", "public")
    client.force_login(employee)
    assert client.get(child.url).status_code == 404
    assert child.url not in client.get("/search/", {"q": "Zebracorn"}).content.decode()


def test_partner_below_the_tier_is_refused_and_promotion_opens_the_page(
    client, pages, partner_user, gold
):
    client.force_login(partner_user)
    page = pages["partner_tier"]
    assert client.get(page.url).status_code == 404
    silver = Tier.objects.get(name="Silver")
    status = TierStatus.objects.create(participant=partner_user, program=gold.program, tier=silver)
    assert client.get(page.url).status_code == 404
    status.tier = gold
    status.save()
    assert client.get(page.url).status_code == 200


def test_editors_preview_restricted_pages(client, pages, reviewer):
    client.force_login(reviewer)
    page = pages["partners"]
    response = client.get(f"/admin/pages/{page.pk}/view_draft/")
    assert response.status_code == 200
    assert "Zebracorn facts for partners-only" in response.content.decode()


def test_restriction_changes_take_effect_when_published(client, home, employee):
    page = _page(home, "news-for-all", "public")
    client.force_login(employee)
    assert client.get(page.url).status_code == 200
    page.audience = "partners"
    page.save_revision().publish()
    assert client.get(page.url).status_code == 404
