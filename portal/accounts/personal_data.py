# SPDX-License-Identifier: AGPL-3.0-or-later
"""A user's own personal data, on request (README "Personal data"): their account and
everything the portal keeps about them as a person, as JSON or CSV.

Each section names a model by its label (no import of higher apps: the layering of
``tests/test_architecture.py`` holds), the field that points at the user and the fields
exported. Prospects' contact data in the user's leads is the prospects' data, not the
user's: the leads section carries its reference, program, status and dates only.

CSV goes through ``write_csv`` below, which writes with the portal's one CSV writer
(``portal.core.csv``): cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, Protocol

from django.apps import apps

from portal.core.csv import csv_writer

from .models import User

# (section, model label, field pointing at the user, exported fields)
SECTIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "leads",
        "leads.Lead",
        "referrer",
        ["id", "program__name", "status", "source", "submitted_at", "status_changed_at"],
    ),
    (
        "points",
        "rewards.LedgerEntry",
        "participant",
        ["id", "amount", "event", "reason", "created_at"],
    ),
    (
        "redemptions",
        "rewards.Redemption",
        "participant",
        ["id", "item__name", "points", "status", "note", "created_at"],
    ),
    (
        "commissions",
        "payouts.Commission",
        "payee_user",
        ["id", "lead_id", "event", "amount", "currency", "status", "created_at"],
    ),
    (
        "notifications",
        "notifications.Notification",
        "user",
        ["id", "kind", "title", "body", "created_at", "read_at"],
    ),
    (
        "audit",
        "audit.AuditEvent",
        "actor",
        ["id", "action", "from_state", "to_state", "note", "created_at"],
    ),
]
PROFILE_FIELDS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "language",
    "show_initials_only",
    "date_joined",
    "last_login",
    "is_active",
]


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def personal_data_of(*, user: User) -> dict[str, Any]:
    """Everything in ``SECTIONS`` about ``user``, plus their account, as plain JSON
    values. Reads only; a section whose model or field does not exist is skipped."""
    data: dict[str, Any] = {
        "account": {f: _plain(getattr(user, f)) for f in PROFILE_FIELDS},
    }
    data["account"]["team"] = user.team.name if user.team_id and user.team else ""
    data["account"]["partner_organisation"] = (
        user.partner_organisation.name
        if user.partner_organisation_id and user.partner_organisation
        else ""
    )
    data["account"]["groups"] = sorted(user.groups.values_list("name", flat=True))
    for section, label, owner, fields in SECTIONS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        available = {f.name for f in model._meta.get_fields()} | {
            f.attname for f in model._meta.concrete_fields
        }
        wanted = [f for f in fields if f.split("__")[0] in available]
        rows = model._default_manager.filter(**{owner: user}).order_by("pk").values(*wanted)
        data[section] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return data


def write_csv(*, data: dict[str, Any], out: Writable) -> None:
    """The same data as rows of (section, record, field, value)."""
    writer = csv_writer(out)
    writer.writerow(["section", "record", "field", "value"])
    for field, value in data["account"].items():
        writer.writerow(["account", "", field, value])
    for section, rows in data.items():
        if section == "account":
            continue
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                writer.writerow([section, number, field, value])
