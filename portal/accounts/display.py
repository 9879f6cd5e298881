# SPDX-License-Identifier: AGPL-3.0-or-later
"""How a person appears to a viewer: the one rule every channel uses.

Board pages, WebSocket pushes, TV screens and their ticker, shout-outs, announcements and
their frozen snapshots, CMS live blocks, the API, webhooks, e-mails and exports all ask
this module, never ``User.display_name`` directly, when they show one person to another.

- A person may choose to appear by initials only (``User.show_initials_only``).
- Partners (and anything a partner may see: their sockets, a TV screen of a board partners
  see, an anonymous visitor) see employees by initials, unless the company shares names
  (``LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES``).
- Staff (employees, managers, reviewers, finance) see everyone's chosen name.

A *display record* ``"public name<TAB>initials<TAB>E|P"`` carries what each audience needs,
so a name cached once (in Redis, in a snapshot) is shown per audience later.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from portal.accounts.models import User


class Audience(StrEnum):
    """Who is looking: the company's own people, or partners and the public."""

    STAFF = "staff"
    PARTNER = "partner"


EMPLOYEE, PARTNER_PERSON = "E", "P"


def audience_of(*, viewer: Any) -> Audience:
    """The audience of a viewer; anonymous viewers (``None``, a TV link) are partners."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return Audience.PARTNER
    # Customers who refer see the company from outside, as partners do.
    outside = viewer.partner_organisation_id or getattr(viewer, "is_customer", False)
    return Audience.PARTNER if outside else Audience.STAFF


def display_record(*, person: User) -> str:
    """A person's display record: ``"public name<TAB>initials<TAB>E|P"``."""
    kind = PARTNER_PERSON if person.partner_organisation_id else EMPLOYEE
    return f"{person.public_name}\t{person.initials}\t{kind}"


def employees_hidden_from(*, audience: Audience) -> bool:
    """Whether this audience sees employees by initials only."""
    return audience == Audience.PARTNER and not settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES


def name_from_record(*, record: str, audience: Audience) -> str:
    """The name a display record shows to ``audience``."""
    public, initials, kind = split_record(record=record)
    return initials if kind == EMPLOYEE and employees_hidden_from(audience=audience) else public


def split_record(*, record: str) -> tuple[str, str, str]:
    """(public name, initials, kind) of a display record; a malformed one hides the name."""
    parts = record.split("\t")
    if len(parts) != 3:
        return ("?", "?", EMPLOYEE)
    return parts[0], parts[1], parts[2]


def person_name(*, person: User, audience: Audience) -> str:
    """How ``person`` appears to ``audience``."""
    return name_from_record(record=display_record(person=person), audience=audience)


def person_name_for(*, person: User, viewer: Any) -> str:
    """How ``person`` appears to ``viewer`` (a user, or ``None`` for a TV screen)."""
    if viewer is not None and getattr(viewer, "pk", None) == person.pk:
        return person.display_name
    return person_name(person=person, audience=audience_of(viewer=viewer))
