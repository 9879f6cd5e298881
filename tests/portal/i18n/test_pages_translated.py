# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every persona's dashboard and main pages, in every language, show no string of our own
catalog left in English (the demo data, so every page has something on it)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.accounts.selectors import navigation_for
from tests.factories import enable_mfa

from .visible_text import untranslated, visible_texts

LANGUAGES = ["fi", "it", "lv", "ru", "tl"]
PERSONAS = {
    "employee": "employee@demo.vouch.test",
    "manager": "manager@demo.vouch.test",
    "reviewer": "reviewer@demo.vouch.test",
    "finance": "finance@demo.vouch.test",
    "partner_admin": "partner-admin@acme.example",
    "partner_user": "partner@acme.example",
}


def _pages_of(user) -> list[str]:
    """The dashboard, every page of the main menu, settings, notifications and the content
    home (the Wagtail admin has its own translations)."""
    urls = [reverse("dashboards:home")]
    urls += [item.url for item in navigation_for(user=user) if item.url != "/admin/"]
    urls += [reverse("accounts:preferences"), reverse("notifications:list")]
    return list(dict.fromkeys(urls))


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    for email in (PERSONAS["reviewer"], PERSONAS["finance"]):
        enable_mfa(User.objects.get(email=email))


@pytest.mark.django_db
def test_every_personas_pages_are_translated_in_every_language(demo):
    problems = []
    pages = 0
    for persona, email in PERSONAS.items():
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        for language in LANGUAGES:
            User.objects.filter(pk=user.pk).update(language=language)
            home = f"/{language}/"
            for url in [*_pages_of(user), home]:
                response = client.get(url, follow=True)
                assert response.status_code == 200, (persona, language, url)
                html = response.content.decode()
                assert f'<html lang="{language}"' in html, (persona, language, url)
                assert visible_texts(html, language), (persona, language, url)
                pages += 1
                problems += [
                    f"{persona} {language} {url}: {t}" for t in untranslated(html, language)
                ]
    assert pages >= 5 * 6 * 5
    assert not problems, "\n".join(problems)
