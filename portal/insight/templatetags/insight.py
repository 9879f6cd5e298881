# SPDX-License-Identifier: AGPL-3.0-or-later
"""Showing insight cells: numbers, per cents, money and durations in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from portal.core.money import money_format
from portal.insight.tables import Cell

register = template.Library()


@register.filter
def cell(value: Cell) -> str:
    """The cell as the page shows it; an empty figure is a dash."""
    if value.value is None:
        return "–"
    if value.kind == "money":
        return money_format(value.value, value.currency)
    if value.kind == "percent":
        return _("%(rate)s %%") % {"rate": number_format(value.value, 1)}
    if value.kind == "duration":
        return _("%(hours)s h") % {"hours": number_format(float(value.csv), 1)}
    if value.kind == "date":
        return date_format(value.value, "SHORT_DATE_FORMAT")
    if value.kind == "count":
        return number_format(value.value, force_grouping=True)
    return str(value.value)


@register.filter
def rate(value: object) -> str:
    """A per cent figure (Decimal) in the reader's language; a dash when there is none."""
    return cell(Cell(value, "percent"))


@register.filter
def count(value: int) -> str:
    """A count with the reader's digit grouping."""
    return cell(Cell(value, "count"))
