"""Money for people: one helper, so every amount is written the way the reader's language
writes it (separators, decimals, where the currency goes). Amounts stay Decimal."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

# Babel (CLDR) knows Tagalog as Filipino.
BABEL_LOCALES = {"tl": "fil"}


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return BABEL_LOCALES.get(language, language)


def money_format(
    amount: Decimal | int | str | None,
    currency: str,
    *,
    language: str | None = None,
    signed: bool = False,
) -> str:
    """``Decimal("1234.5"), "EUR"`` → "1 234,50 €" in Finnish, "€1,234.50" in English.
    ``signed`` writes a plus sign on positive amounts (statements: earned)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    text = format_currency(value, currency or "EUR", locale=babel_locale(language))
    return f"+{text}" if signed and value > 0 else text
