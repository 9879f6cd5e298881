# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar helpers shared by statements, boards and monthly badges (site time zone)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month as aware datetimes in the site time zone."""
    first = date(year, month, 1)
    return local_midnight(first), local_midnight(next_month(first))
