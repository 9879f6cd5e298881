# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.accounts.services import organisation_set_status
from portal.leads.models import Lead, LinkVisit
from portal.leads.referrals import referral_link_for

PROSPECT = {
    "name": "Paula Prospect",
    "email": "paula@prospect.example",
    "company": "Prospect AB",
    "notes": "Call me",
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


def _page(link):
    return reverse("referral_page", args=[link.code])


def test_link_is_stable(employee, link):
    assert referral_link_for(user=employee) == link


def test_prospect_submits_through_the_link_and_the_referrer_gets_the_lead(
    client, link, employee, program
):
    page = client.get(_page(link))
    assert page.status_code == 200
    assert "thinks we should talk" in page.content.decode()
    response = client.post(_page(link), {**PROSPECT, "program": program.pk})
    assert response["Location"] == reverse("referral_thanks", args=[link.code])
    lead = Lead.objects.get()
    assert (lead.referrer, lead.source, lead.referral_link, lead.email) == (
        employee,
        "link",
        link,
        "paula@prospect.example",
    )
    assert lead.consent_text == program.consent_text and lead.consent_at is not None


def test_consent_is_required_on_the_public_form(client, link, program):
    response = client.post(_page(link), {**PROSPECT, "consent": "", "program": program.pk})
    assert response.status_code == 200
    assert "must agree to be contacted" in response.content.decode()
    assert not Lead.objects.exists()


def test_honeypot_saves_nothing(client, link, program):
    response = client.post(
        _page(link), {**PROSPECT, "website": "http://spam.example", "program": program.pk}
    )
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_public_form_is_rate_limited_per_ip(client, link, program, settings):
    settings.REFERRAL_FORM_RATE = "3/h"
    for i in range(3):
        client.post(
            _page(link), {**PROSPECT, "email": f"p{i}@prospect{i}.example", "program": program.pk}
        )
    response = client.post(
        _page(link), {**PROSPECT, "email": "late@late.example", "program": program.pk}
    )
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert Lead.objects.count() == 3
    other_ip = client.post(
        _page(link),
        {**PROSPECT, "email": "x@other.example", "program": program.pk},
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_ip.status_code == 302


def test_visits_are_counted_once_per_visitor_per_day(client, link):
    client.get(_page(link), HTTP_USER_AGENT="Firefox")
    client.get(_page(link), HTTP_USER_AGENT="Firefox")
    client.get(_page(link), HTTP_USER_AGENT="Chrome", REMOTE_ADDR="10.0.0.2")
    assert LinkVisit.objects.filter(link=link).count() == 2


def test_unknown_code_is_a_friendly_404(client, db):
    response = client.get(reverse("referral_page", args=["nope"]))
    assert response.status_code == 404
    assert "not active" in response.content.decode()


def test_disabled_link_and_suspended_partner_give_404(
    client, link, reviewer, partner_user, program
):
    link.is_active = False
    link.save()
    assert client.get(_page(link)).status_code == 404
    partner_link = referral_link_for(user=partner_user)
    organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    assert client.get(_page(partner_link)).status_code == 404


def test_share_page_offers_link_qr_and_share_buttons(client, employee, link):
    client.force_login(employee)
    html = client.get(reverse("leads:share")).content.decode()
    assert f"/r/{link.code}/" in html
    for target in ("mailto:", "linkedin.com", "wa.me", "x.com/intent"):
        assert target in html


def test_qr_code_downloads_as_svg_and_png(client, employee, link):
    client.force_login(employee)
    svg = client.get(reverse("leads:qr", args=["svg"]) + "?download=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    png = client.get(reverse("leads:qr", args=["png"]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert client.get(reverse("leads:qr", args=["gif"])).status_code == 404
