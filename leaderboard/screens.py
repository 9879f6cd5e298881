# SPDX-License-Identifier: AGPL-3.0-or-later
"""TV screens: read-only links that show chosen boards on a wall display."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record

from .models import TVScreen
from .ranking import Board
from .selectors import tv_token_hash


def tv_screen_create(
    *, actor: User, name: str, boards: str, rotate_seconds: int = 20
) -> tuple[TVScreen, str]:
    """A manager or reviewer sets up a TV screen for known boards. Returns it and its
    link token (shown once; stored hashed). Audits it; locks nothing. Checks the role
    and the board ids; publishes nothing."""
    if not has_role(user=actor, roles=(Role.MANAGER, Role.REVIEWER)):
        raise PermissionDenied(_("Only managers and reviewers set up TV screens."))
    for board_id in [b.strip() for b in boards.split(",") if b.strip()]:
        try:
            Board.parse(board_id)
        except ValueError as exc:
            raise ValidationError(
                {"boards": [_("Unknown board: %(b)s") % {"b": board_id}]}
            ) from exc
    token = secrets.token_urlsafe(24)
    screen = TVScreen.objects.create(
        name=name,
        boards=boards,
        rotate_seconds=rotate_seconds,
        token_hash=tv_token_hash(token=token),
        created_by=actor,
    )
    audit_record(actor=actor, action="tv.created", target=screen)
    return screen, token


def tv_screen_revoke(*, actor: User, screen: TVScreen) -> TVScreen:
    """A manager or reviewer revokes a TV screen's link at once. Audits it. Checks
    the role; locks nothing, publishes nothing."""
    if not has_role(user=actor, roles=(Role.MANAGER, Role.REVIEWER)):
        raise PermissionDenied(_("Only managers and reviewers revoke TV screens."))
    screen.revoked_at = timezone.now()
    screen.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="tv.revoked", target=screen)
    return screen
