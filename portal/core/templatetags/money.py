# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import template

from portal.core.money import money_format

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """``{{ c.amount|money:c.currency }}`` in the reader's language."""
    return money_format(amount, currency)


@register.filter
def money_signed(amount, currency: str = "EUR") -> str:
    return money_format(amount, currency, signed=True)
