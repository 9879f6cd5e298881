# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar helpers shared by statements, boards and monthly badges (site time zone)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# Months a statement (or any monthly page) can be asked for: far enough either way for
# every real statement, and inside what ``date`` and the database can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def month_in_range(year: int, month: int) -> date | None:
    """The first day of (year, month), or None when that is no month a page answers for
    (month 13, year 0 or 99999): the caller answers 404 instead of failing."""
    if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
        return date(year, month, 1)
    return None


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month as aware datetimes in the site time zone."""
    first = date(year, month, 1)
    return local_midnight(first), local_midnight(next_month(first))
