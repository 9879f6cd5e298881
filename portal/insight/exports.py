# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every insight table as CSV: one writer, so a download is exactly the table."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse


def csv_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheets read the letters).
    Cells starting with = + - @ are prefixed with ' so a spreadsheet never runs them."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_safe(h) for h in header])
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return response


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _number(text)):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
