# SPDX-License-Identifier: AGPL-3.0-or-later
"""TV screens: read-only links that show chosen boards on a wall display."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record

from .labels import board_exists
from .models import TVScreen
from .ranking import Board
from .selectors import board_visible_to, tv_screens_visible_to, tv_token_hash


def tv_screen_create(
    *, actor: User, name: str, boards: str, rotate_seconds: int = 20
) -> tuple[TVScreen, str]:
    """A manager or reviewer sets up an office screen. Every board on it must be one the
    actor may see themselves (``board_visible_to``): a token must not open more than its
    creator could. Audited; returns the screen and its token (shown once)."""
    if not has_role(user=actor, roles=(Role.MANAGER, Role.REVIEWER)):
        raise PermissionDenied(_("Only managers and reviewers set up TV screens."))
    ids = [b.strip() for b in boards.split(",") if b.strip()]
    if not ids:
        raise ValidationError({"boards": [_("Choose at least one board.")]})
    for board_id in ids:
        try:
            board = Board.parse(board_id)
        except ValueError as exc:
            raise ValidationError(
                {"boards": [_("Unknown board: %(b)s") % {"b": board_id}]}
            ) from exc
        if not board_exists(board) or not board_visible_to(user=actor, board=board):
            raise ValidationError(
                {"boards": [_("You may not show this board: %(b)s") % {"b": board_id}]}
            )
    token = secrets.token_urlsafe(24)
    screen = TVScreen.objects.create(
        name=name,
        boards=",".join(ids),
        rotate_seconds=rotate_seconds,
        token_hash=tv_token_hash(token=token),
        created_by=actor,
    )
    audit_record(actor=actor, action="tv.created", target=screen)
    return screen, token


def tv_screen_revoke(*, actor: User, screen: TVScreen) -> TVScreen:
    """Revoke a screen's link: only its creator or a reviewer may. Audited; twice is once."""
    if not tv_screens_visible_to(user=actor).filter(pk=screen.pk).exists():
        raise PermissionDenied(_("Only the screen's creator or a reviewer revokes it."))
    with transaction.atomic():
        locked = TVScreen.objects.select_for_update().get(pk=screen.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="tv.revoked", target=locked)
    return locked
