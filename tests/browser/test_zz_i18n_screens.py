# SPDX-License-Identifier: AGPL-3.0-or-later
"""A referrer's dashboard in Finnish and in Russian, on a phone (360 px) and a desktop:
the page is in the language, longer words still fit (no sideways scroll), and screenshots
land in test-artifacts/ for a person to look at.

Named to run after the browser tests that need the migrations' data: its live server flushes
the database, data migrations included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from portal.accounts.models import User
from portal.leads import services as leads
from portal.rewards.models import Tier
from portal.rewards.services import ledger_add
from tests.factories import ProgramFactory, TeamFactory, UserFactory, give_role, submit_lead

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"360": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 900}}


def _login(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _referrer_with_history(language: str) -> User:
    from portal.accounts.roles import Role

    program = ProgramFactory(name="Customer referrals")
    with translation.override("en"):
        tier = Tier.objects.create(program=program, name="Silver", threshold=0, perks="Perks.")
    Tier.objects.filter(pk=tier.pk).update(name_fi="Hopea", name_ru="Серебро")
    user = UserFactory(
        first_name="Emma", last_name="Virtanen", team=TeamFactory(name="Sales North")
    )
    User.objects.filter(pk=user.pk).update(language=language)
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    for n in range(3):
        lead = submit_lead(user, program, name=f"Prospect {n}", company=f"Company {n}")
        if n:
            leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value=Decimal("24000.00"), currency="EUR")
    ledger_add(participant=user, amount=150, event="adjustment", reason="Welcome bonus")
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("language", ["fi", "ru"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_dashboard_fits_in_finnish_and_russian(browser, live_server, artifacts, language, size):
    user = _referrer_with_history(language)
    context = browser.new_context(viewport=SIZES[size])
    try:
        _login(context, live_server, user)
        page = context.new_page()
        page.goto(f"{live_server.url}/me/")
        assert page.locator("html").get_attribute("lang") == language
        with translation.override(language):
            referrals = translation.gettext("Referrals")
        assert referrals != "Referrals"
        assert page.locator("main").get_by_text(referrals, exact=True).first.is_visible()
        page.screenshot(path=str(artifacts / f"dashboard-{language}-{size}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            """[...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))"""
        )
        assert overflow <= 0, f"{overflow}px of sideways scroll: {wide}"
    finally:
        context.close()
