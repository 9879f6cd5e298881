# SPDX-License-Identifier: AGPL-3.0-or-later
"""Money arithmetic: ``Decimal`` quantised to cents, rounded half-up, on every database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | None) -> Decimal:
    """``value`` as an amount in cents, rounded half-up (None is zero). Databases that sum
    decimals as floating point (SQLite) are brought back to exact cents here."""
    if value is None:
        return ZERO
    if isinstance(value, float):  # a database's float sum: take its shortest repr
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
