# SPDX-License-Identifier: AGPL-3.0-or-later
"""Texts people read from the database (programs, tiers, badges, rewards, contests), in
each language: editors fill them in the admin screens, an empty one shows English."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from leaderboard.models import Contest
from portal.accounts.models import User
from portal.rewards.models import Badge, RewardItem, Tier

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "fi", "it", "lv", "ru", "tl"]


def test_the_default_badges_read_in_every_language():
    badge = Badge.objects.get(slug="first-referral")
    names = {}
    for language in LANGUAGES:
        with translation.override(language):
            names[language] = badge.name
            assert badge.description
    assert names["en"] == "First referral" and names["fi"] == "Ensimmäinen suosittelu"
    assert names["ru"] == "Первая рекомендация" and len(set(names.values())) == 6


def test_an_empty_translation_falls_back_to_english(program):
    tier = Tier.objects.create(program=program, name="Gold", threshold=500, perks="Premium.")
    Tier.objects.filter(pk=tier.pk).update(name_fi="Kulta")
    tier.refresh_from_db()
    with translation.override("fi"):
        assert (tier.name, tier.perks) == ("Kulta", "Premium.")
    with translation.override("it"):
        assert tier.name == "Gold"


def test_an_editor_fills_every_language_in_the_admin(client, reviewer, program):
    client.force_login(reviewer)
    form = client.get("/admin/tiers/new/").content.decode()
    for language in LANGUAGES:
        assert f'name="name_{language}"' in form and f'name="perks_{language}"' in form
    response = client.post(
        "/admin/tiers/new/",
        {
            "program": program.pk,
            "name_en": "Platinum",
            "name_fi": "Platina",
            "name_ru": "Платина",
            "threshold": 1000,
            "commission_multiplier": "1.50",
            "perks_en": "The best rewards.",
            "perks_fi": "Parhaat palkinnot.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tier = Tier.objects.get(program=program, threshold=1000)
    with translation.override("ru"):
        assert (tier.name, tier.perks) == ("Платина", "The best rewards.")
    with translation.override("fi"):
        assert (tier.name, tier.perks) == ("Platina", "Parhaat palkinnot.")


def test_english_is_required_in_the_admin(client, reviewer, program):
    client.force_login(reviewer)
    response = client.post(
        "/admin/tiers/new/",
        {"program": program.pk, "name_fi": "Kulta", "threshold": 500, "commission_multiplier": "1"},
    )
    assert response.status_code == 200
    assert not Tier.objects.filter(program=program).exists()


def test_an_employee_outside_the_admin_cannot_edit_them(client, employee, program):
    client.force_login(employee)
    assert client.get("/admin/tiers/new/").status_code == 403
    response = client.post("/admin/tiers/new/", {"program": program.pk, "name_en": "Hacked"})
    assert response.status_code == 403 and not Tier.objects.exists()


def test_pages_show_the_readers_language(client, employee, program):
    item = RewardItem.objects.create(name="Dinner for two", kind="experience", points_price=450)
    RewardItem.objects.filter(pk=item.pk).update(
        name_it="Cena per due", description_it="In un ristorante a tua scelta."
    )
    User.objects.filter(pk=employee.pk).update(language="it")
    client.force_login(employee)
    body = client.get(reverse("rewards:catalog")).content.decode()
    assert "Cena per due" in body and "Dinner for two" not in body


def test_the_seeded_demo_reads_in_every_language(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    for language in ["fi", "it", "lv", "ru", "tl"]:
        with translation.override(language):
            rows = [
                *[t.name for t in Tier.objects.all()],
                *[r.name for r in RewardItem.objects.all()],
                *[c.name for c in Contest.objects.all()],
            ]
        with translation.override("en"):
            english = [
                *[t.name for t in Tier.objects.all()],
                *[r.name for r in RewardItem.objects.all()],
                *[c.name for c in Contest.objects.all()],
            ]
        same = [(a, b) for a, b in zip(rows, english, strict=True) if a == b]
        # Only loanwords the language keeps (Tagalog: "Bronze", "Platinum", "Vouch hoodie").
        assert len(same) <= 4, (language, same)
