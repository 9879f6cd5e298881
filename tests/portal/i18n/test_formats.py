# SPDX-License-Identifier: AGPL-3.0-or-later
"""Money, dates and plural forms the way each language writes them."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format

from portal.core.money import money_format

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€1,234.50"),
        ("fi", f"1{NBSP}234,50{NBSP}€"),
        ("it", f"1.234,50{NBSP}€"),
        ("lv", f"1{NBSP}234,50{NBSP}€"),
        ("ru", f"1{NBSP}234,50{NBSP}€"),
        ("tl", "€1,234.50"),
    ],
)
def test_money_is_written_the_languages_way(language, expected):
    with translation.override(language):
        assert money_format(Decimal("1234.5"), "EUR") == expected


def test_money_keeps_every_cent_and_the_sign():
    with translation.override("fi"):
        assert money_format(Decimal("-0.05"), "EUR") == f"-0,05{NBSP}€"
        assert money_format(Decimal("1000000.01"), "USD") == f"1{NBSP}000{NBSP}000,01{NBSP}$"
        assert money_format(Decimal("12.5"), "EUR", signed=True) == f"+12,50{NBSP}€"
        assert money_format(None, "EUR") == ""


def test_the_money_filter_uses_the_readers_language():
    template = Template("{% load money %}{{ amount|money:currency }}")
    context = Context({"amount": Decimal("24000.00"), "currency": "EUR"})
    with translation.override("it"):
        assert template.render(context) == f"24.000,00{NBSP}€"
    with translation.override("en"):
        assert template.render(context) == "€24,000.00"


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "Nov. 30, 2026", "11/30/2026"),
        ("fi", "30. marraskuuta 2026", "30.11.2026"),
        ("it", "30 novembre 2026", "30/11/2026"),
        ("lv", "2026. gada 30. novembris", "30.11.2026"),
        ("ru", "30 ноября 2026 г.", "30.11.2026"),
        ("tl", "Nobyembre 30, 2026", "11/30/2026"),
    ],
)
def test_dates_follow_the_locale(language, long, short):
    day = date(2026, 11, 30)
    with translation.override(language):
        assert date_format(day, "DATE_FORMAT") == long
        assert date_format(day, "SHORT_DATE_FORMAT") == short


def test_numbers_follow_the_locale():
    with translation.override("fi"):
        assert number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True) == (
            f"1{NBSP}234,5"
        )
    with translation.override("tl"):
        assert number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True) == (
            "1,234.5"
        )


PLURALS = {
    # n: Russian, Latvian — "day" as the countdown writes it
    0: ("дней", "dienu"),
    1: ("день", "diena"),
    2: ("дня", "dienas"),
    5: ("дней", "dienas"),
    11: ("дней", "dienas"),
    21: ("день", "diena"),
}


@pytest.mark.parametrize("n", sorted(PLURALS))
def test_plural_forms_in_russian_and_latvian(n):
    russian, latvian = PLURALS[n]
    with translation.override("ru"):
        assert translation.ngettext("day", "days", n) == russian
    with translation.override("lv"):
        assert translation.ngettext("day", "days", n) == latvian


@pytest.mark.parametrize(
    ("n", "russian"),
    [
        (0, "0 минут"),
        (1, "1 минута"),
        (2, "2 минуты"),
        (5, "5 минут"),
        (11, "11 минут"),
        (21, "21 минута"),
    ],
)
def test_time_since_counts_in_russian(n, russian):
    with translation.override("ru"):
        assert translation.ngettext("%(num)d minute", "%(num)d minutes", n) % {"num": n} == russian


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "one", "few", "many"),
    [("ru", "день", "дня", "дней"), ("lv", "diena", "dienas", "dienu")],
)
def test_the_javascript_catalog_carries_the_plural_forms(client, language, one, few, many):
    response = client.get(f"/i18n/js/{language}.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    catalog = json.loads(body.split("const newcatalog = ", 1)[1].split(";\n", 1)[0])
    assert catalog["day"][:3] == ([one, few, many] if language == "ru" else [one, few, many])
    assert "pluralidx" in body


@pytest.mark.django_db
def test_the_javascript_catalog_refuses_other_languages(client):
    assert client.get("/i18n/js/de.js").status_code == 404
