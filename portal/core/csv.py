# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one CSV writer for every file the portal writes (payout files, statements, import
error reports, every export to come).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV or formula injection: an employee named ``=HYPERLINK(...)`` would
become a live link in finance's payout file). Such a cell is written with a leading
apostrophe, which spreadsheets show as text and never evaluate. A plain number such as
``-12.50`` is no formula and stays as it is, so amounts remain numbers.
"""

from __future__ import annotations

import csv as _csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def neutralise(value: Any) -> str:
    """The text a cell holds: ``value`` as text, with an apostrophe before a formula start."""
    if value is None:
        return ""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`neutralise`."""

    def __init__(self, out: _Writable) -> None:
        self._writer = _csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable) -> SafeWriter:
    """The writer every export uses: ``out`` is a text file, an ``HttpResponse`` or a
    ``StringIO``."""
    return SafeWriter(out)
