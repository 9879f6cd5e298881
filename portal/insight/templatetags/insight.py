# SPDX-License-Identifier: AGPL-3.0-or-later
"""Showing insight cells: numbers, per cents, money and durations in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
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


@register.simple_tag
def table_body(rows: list[list[Any]]) -> SafeString:
    """A table's body rows: the first cell of each a row header, the others figures (a link
    when the cell has one). Cells are ``Cell`` (shown by ``cell``) or text. One call instead
    of a template loop over every cell (a page's tables hold hundreds; measured: about a
    third of the insight page's time went to drawing them)."""
    out: list[str] = []
    for row in rows:
        out.append("<tr>")
        for i, c in enumerate(row):
            text = conditional_escape(cell(c) if isinstance(c, Cell) else c)
            if i == 0:
                out.append(f'<th scope="row">{text}</th>')
            elif isinstance(c, Cell) and c.href:
                out.append(
                    f'<td class="num"><a href="{conditional_escape(c.href)}">{text}</a></td>'
                )
            else:
                out.append(f'<td class="num">{text}</td>')
        out.append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
