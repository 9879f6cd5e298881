# SPDX-License-Identifier: AGPL-3.0-or-later
"""Quota periods (months and quarters) in the site time zone. Pure arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from portal.core.dates import FIRST_YEAR, LAST_YEAR, local_midnight

from .models import Period

_KEY = re.compile(r"([0-9]{4})-(Q[1-4]|[0-9]{2})")


@dataclass(frozen=True)
class Span:
    """[start, end) of one period, aware datetimes in the site time zone."""

    kind: str  # Period
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """2026-Q3 or 2026-07: the period in URLs."""
        first = timezone.localtime(self.start).date()
        if self.kind == Period.QUARTER:
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        return f"{first.year}-{first.month:02d}"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _months(kind: str) -> int:
    return 3 if kind == Period.QUARTER else 1


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _span(kind: str, first: date) -> Span:
    return Span(kind, local_midnight(first), local_midnight(_add_months(first, _months(kind))))


def period_containing(*, kind: str, moment: datetime) -> Span:
    """The month or quarter (site time zone) that ``moment`` falls in."""
    day = timezone.localtime(moment).date()
    month = day.month if kind == Period.MONTH else (day.month - 1) // 3 * 3 + 1
    return _span(kind, date(day.year, month, 1))


def period_shift(*, span: Span, by: int) -> Span:
    """The period ``by`` periods after (negative: before) ``span``."""
    first = timezone.localtime(span.start).date()
    return _span(span.kind, _add_months(first, by * _months(span.kind)))


def period_from_key(*, kind: str, key: str) -> Span | None:
    """The period a URL names (2026-Q3 for quarters, 2026-07 for months), or None when
    the key is no such period."""
    found = _KEY.fullmatch(key or "")
    if not found:
        return None
    year, part = int(found.group(1)), found.group(2)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if kind == Period.QUARTER:
        if not part.startswith("Q"):
            return None
        return _span(kind, date(year, (int(part[1]) - 1) * 3 + 1, 1))
    if part.startswith("Q") or not 1 <= int(part) <= 12:
        return None
    return _span(kind, date(year, int(part), 1))
