# SPDX-License-Identifier: AGPL-3.0-or-later
"""CSV import of leads by reviewers: preview every row's errors, then import the valid
rows one by one (each row is its own transaction: never half a row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.core.badinput import has_nul
from portal.core.csv import csv_writer

from .models import Lead, LeadSource, Program
from .normalise import lead_clean
from .selectors import program_check_open_to
from .services import lead_submit

COLUMNS = ["program", "referrer_email", "name", "email", "phone", "company", "notes", "consent"]
REQUIRED_COLUMNS = {"program", "referrer_email", "name", "consent"}
MAX_ROWS = 5000


@dataclass
class ImportRow:
    number: int
    data: dict[str, str]
    errors: list[str] = field(default_factory=list)
    referrer: User | None = None
    program: Program | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    created: list[Lead] = field(default_factory=list)
    failed: list[ImportRow] = field(default_factory=list)


EXTRA = "\x00extra"  # where DictReader puts the fields of a row longer than the header


def _read(csv_text: str) -> list[dict[str, str]]:
    """The rows as dicts of stripped strings. A file that cannot be read as CSV (a field
    over the csv module's 128 kB limit, a quote never closed) is refused with the line;
    a row with more fields than the header keeps them under ``EXTRA`` (a row error)."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")), restkey=EXTRA)
    try:
        headers = {h.strip().lower() for h in (reader.fieldnames or [])}
        missing = REQUIRED_COLUMNS - headers
        if missing:
            raise ValidationError(
                _("The file lacks the columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))}
            )
        rows = []
        for row in reader:
            rows.append(
                {
                    (k if k == EXTRA else (k or "").strip().lower()): (
                        "," if isinstance(v, list) else (v or "").strip()
                    )
                    for k, v in row.items()
                }
            )
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as exc:
        raise ValidationError(
            _("Line %(line)s cannot be read as CSV: a field is too long or a quote is not closed.")
            % {"line": reader.line_num}
        ) from exc
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("Import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
    if not rows:
        raise ValidationError(_("The file has no rows."))
    return rows


def lead_import_preview(*, actor: User, csv_text: str) -> list[ImportRow]:
    """Check every row as the import would, without saving anything. Checks the
    reviewer role and each row's referrer, program and contact data. Read only."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers import leads."))
    programs = {p.slug: p for p in Program.objects.all()}
    referrers = {}
    result = []
    for number, data in enumerate(_read(csv_text), start=2):  # line 1 is the header
        row = ImportRow(number=number, data=data)
        if data.pop(EXTRA, None):
            row.errors.append(_("This row has more fields than the header."))
        if any(has_nul(value) for value in data.values()):
            row.errors.append(_("Remove the NUL characters from this row."))
            result.append(row)
            continue
        row.program = programs.get(data.get("program", "").lower())
        if row.program is None:
            row.errors.append(_("Unknown program “%(p)s”.") % {"p": data.get("program", "")})
        email = data.get("referrer_email", "").lower()
        if email not in referrers:
            referrers[email] = (
                User.objects.select_related("partner_organisation")
                .filter(email__iexact=email, is_active=True)
                .first()
            )
        row.referrer = referrers[email]
        if row.referrer is None:
            row.errors.append(_("No active referrer with the e-mail “%(e)s”.") % {"e": email})
        if row.program and row.referrer:
            try:
                program_check_open_to(program=row.program, user=row.referrer)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
            except PermissionDenied as exc:
                row.errors.append(str(exc))
        try:
            lead_clean(data=_lead_data(data))
        except ValidationError as exc:
            row.errors.extend(
                f"{name}: {msg}" for name, msgs in exc.message_dict.items() for msg in msgs
            )
        result.append(row)
    return result


def _lead_data(data: dict[str, str]) -> dict[str, Any]:
    return {**data, "consent": data.get("consent", "").lower() in {"yes", "true", "1", "y", "x"}}


def lead_import(*, actor: User, csv_text: str) -> ImportResult:
    """Submit every valid row of a reviewer's CSV as a lead (checked row by row as
    ``lead_import_preview`` does, then submitted through ``lead_submit``, which locks and
    publishes per lead); rows that fail are returned with their reasons."""
    result = ImportResult()
    for row in lead_import_preview(actor=actor, csv_text=csv_text):
        if not row.ok or row.referrer is None or row.program is None:
            result.failed.append(row)
            continue
        try:
            lead = lead_submit(
                referrer=row.referrer,
                program=row.program,
                data=_lead_data(row.data),
                source=LeadSource.IMPORT,
                actor=actor,
            )
        except (ValidationError, PermissionDenied) as exc:
            row.errors.extend(getattr(exc, "messages", [str(exc)]))
            result.failed.append(row)
        else:
            result.created.append(lead)
    return result


ERROR_REPORT_COLUMNS = ["line", *COLUMNS, "problems"]


def import_error_report(*, failed: Iterable[ImportRow], out: Any) -> None:
    """Write the rows an import refused as CSV (their line, their cells and their problems),
    for the reviewer to fix and upload again. Written by the one CSV writer: a cell that a
    spreadsheet would run as a formula arrives neutralised."""
    writer = csv_writer(out)
    writer.writerow(ERROR_REPORT_COLUMNS)
    for row in failed:
        writer.writerow(
            [row.number, *(row.data.get(c, "") for c in COLUMNS), "; ".join(row.errors)]
        )
