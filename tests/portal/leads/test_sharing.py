# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sharing a referral link: one-tap copy, a prefilled message per channel, a printable
card with the QR code, and a public landing made for the prospect (the program's look, no
portal menu, their language, a link preview card for chats and social networks)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for
from portal.leads.selectors import brand_palette

PROSPECT = {
    "name": "Paula Prospect",
    "email": "paula@prospect.example",
    "company": "Prospect AB",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link(employee, program):
    return referral_link_for(user=employee)


def _page(link, query=""):
    return reverse("referral_page", args=[link.code]) + query


def test_share_panel_has_a_copy_button_and_a_prefilled_message_per_channel(client, employee, link):
    client.force_login(employee)
    html = client.get(reverse("leads:share")).content.decode()
    assert 'data-copy="#link-url"' in html
    hrefs = {
        channel: unquote(href.replace("&amp;", "&"))
        for channel, href in re.findall(r'class="btn secondary share-(\w+)" href="([^"]+)"', html)
    }
    assert set(hrefs) == {"email", "sms", "whatsapp", "linkedin", "facebook", "x"}
    url = f"/r/{link.code}/"
    for channel, href in hrefs.items():
        assert url in href, channel
    # The messages are prefilled and signed by the referrer.
    assert employee.display_name in hrefs["email"]
    assert hrefs["sms"].startswith("sms:?&body=I think you would like")
    assert "facebook.com/sharer" in hrefs["facebook"]


def test_prefilled_messages_are_in_the_referrers_language(client, employee, link):
    employee.language = "fi"
    employee.save(update_fields=["language"])
    client.force_login(employee)
    html = unquote(client.get(reverse("leads:share")).content.decode())
    assert "Terveisin" in html and "I think you would like" not in html


def test_printable_card_carries_the_qr_code_and_address_four_times_for_the_sheet(
    client, employee, link
):
    client.force_login(employee)
    response = client.get(reverse("leads:card"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<section class="referral-card') == 4
    assert html.count(reverse("leads:qr", args=["svg"])) == 4
    assert f"/r/{link.code}/" in html and "data-print" in html


def test_the_card_is_for_signed_in_referrers_each_with_their_own_link(
    client, partner_user, program
):
    response = client.get(reverse("leads:card"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(partner_user)
    html = client.get(reverse("leads:card")).content.decode()
    assert f"/r/{referral_link_for(user=partner_user).code}/" in html


def test_landing_shows_no_portal_navigation_and_carries_a_link_preview(client, link, program):
    program.landing_headline = "Spreadsheets, retired"
    program.pitch = "Run the whole office on one platform."
    program.save()
    html = client.get(_page(link)).content.decode()
    assert 'class="site-header"' not in html and 'aria-label="Main"' not in html
    assert "Log in" not in html
    assert "<h1>Spreadsheets, retired</h1>" in html
    assert '<meta property="og:title" content="Spreadsheets, retired">' in html
    assert (
        '<meta property="og:description" content="Run the whole office on one platform.">' in html
    )
    assert f'<meta property="og:url" content="http://testserver/r/{link.code}/">' in html or (
        f"/r/{link.code}/" in re.search(r'og:url" content="([^"]+)"', html).group(1)
    )
    assert '<meta name="twitter:card" content="summary">' in html


def test_landing_speaks_the_prospects_language(client, link, program):
    chosen = client.get(_page(link, "?lang=fi")).content.decode()
    assert '<html lang="fi">' in chosen and "Tietosi" in chosen
    browser = client.get(_page(link), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru">' in browser
    odd = client.get(_page(link, "?lang=xx"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in odd  # an unknown language is ignored, not an error


def test_the_prospects_language_carries_on_to_the_thank_you_page(client, link, program):
    response = client.post(_page(link, "?lang=it"), {**PROSPECT, "program": program.pk})
    assert response["Location"] == reverse("referral_thanks", args=[link.code]) + "?lang=it"
    assert Lead.objects.count() == 1
    thanks = client.get(response["Location"]).content.decode()
    assert '<html lang="it">' in thanks


def test_landing_wears_the_programs_brand_colour(client, link, program):
    assert "brand.css" not in client.get(_page(link)).content.decode()
    program.brand_colour = "#0B5CAB"
    program.save()
    html = client.get(_page(link)).content.decode()
    css_url = reverse("referral_brand_css", args=[link.code])
    assert css_url in html and 'class="prospect branded"' in html
    css = client.get(css_url)
    assert css["Content-Type"].startswith("text/css")
    assert "--brand: #0b5cab;" in css.content.decode()
    assert "--brand-ink: #ffffff;" in css.content.decode()


def test_brand_css_of_an_unknown_link_is_empty_not_an_error(client, db):
    response = client.get(reverse("referral_brand_css", args=["nope"]))
    assert response.status_code == 200 and response.content == b""


def test_brand_text_colour_keeps_contrast_on_light_and_dark_brands():
    assert brand_palette(colour="#0b5cab")["ink"] == "#ffffff"
    assert brand_palette(colour="#ffd400")["ink"] == "#16141f"  # white on yellow: unreadable
    assert brand_palette(colour="#777777")["ink"] == "#16141f"  # mid grey: black wins (4.7 vs 4.5)


def test_a_brand_colour_must_be_a_hex_colour(program):
    from django.core.exceptions import ValidationError

    program.brand_colour = "red; background:url(x)"
    with pytest.raises(ValidationError):
        program.full_clean()
