# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every insight table as CSV: one writer, so a download is exactly the table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from portal.core.csv import csv_writer


def csv_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheets read the letters).
    Cells starting with = + - @ are prefixed with ' so a spreadsheet never runs them."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv_writer(response)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(list(row))
    return response
