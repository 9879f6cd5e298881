# SPDX-License-Identifier: AGPL-3.0-or-later
"""Money: ``Decimal`` arithmetic quantised to cents, rounded half-up, on every database; and
money for people, written the way the reader's language writes it (separators, decimals,
where the currency goes) through one helper."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Babel (CLDR) knows Tagalog as Filipino.
BABEL_LOCALES = {"tl": "fil"}


def money(value: Decimal | int | str | None) -> Decimal:
    """``value`` as an amount in cents, rounded half-up (None is zero). Databases that sum
    decimals as floating point (SQLite) are brought back to exact cents here."""
    if value is None:
        return ZERO
    if isinstance(value, float):  # a database's float sum: take its shortest repr
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# A deal value is stored as numeric(14, 2): below a trillion.
DEAL_VALUE_LIMIT = Decimal("1e12")


def deal_value_clean(*, value: Decimal | str, currency: str) -> tuple[Decimal, str]:
    """A won deal's value in cents (positive, below ``DEAL_VALUE_LIMIT``) and its currency
    as a three-letter code, as leads and outbound leads store them; otherwise a
    ``ValidationError`` on ``deal_value`` or ``currency``, saying what to enter. Pure."""
    amount: Decimal | None = None
    try:
        parsed = Decimal(str(value))
        amount = money(parsed) if parsed.is_finite() else None
    except (InvalidOperation, ValueError):
        pass
    if amount is None or amount <= 0 or amount >= DEAL_VALUE_LIMIT:
        raise ValidationError({"deal_value": [_("Enter the deal value as a positive amount.")]})
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError({"currency": [_("Enter a three-letter currency code, e.g. EUR.")]})
    return amount, code


def money_sum(queryset: Any, field: str = "amount") -> Decimal:
    """The sum of ``field`` over ``queryset`` in exact cents: one aggregate query, then
    :func:`money` (SQLite sums decimals as floating point; PostgreSQL exactly)."""
    return money(queryset.aggregate(money_sum=Sum(field))["money_sum"])


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
