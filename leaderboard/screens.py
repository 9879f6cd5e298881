# SPDX-License-Identifier: AGPL-3.0-or-later
"""TV screens: read-only links that show chosen boards on a wall display."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record

from .labels import board_exists
from .models import Contest, Eligibility, TVScreen
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


# --- What a TV screen shows ---------------------------------------------------------------

PODIUM = 3


def initials_of(*, name: str) -> str:
    """The letters of an avatar: the first letter of the first two words ("Emma Stone" →
    "ES"; a name shown as initials already stays as it is). Pure."""
    words = [w for w in name.replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def tv_contest(*, board: Board, now: datetime | None = None) -> Contest | None:
    """The contest a TV screen counts down to: the board's own contest while it runs,
    otherwise the open-to-everyone contest that ends soonest. Read only."""
    now = now or timezone.now()
    running = Contest.objects.filter(starts_at__lte=now, ends_at__gt=now, closed_at__isnull=True)
    if board.scope.startswith("contest:"):
        return running.filter(pk=int(board.scope.split(":")[1])).first()
    return running.filter(eligibility=Eligibility.EVERYONE).order_by("ends_at").first()


def tv_rows(*, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A board's rows as a TV lays them out: the podium (the first three, in rank order;
    the style puts second and third beside the winner) and the rest, each with the
    initials of its avatar and a colour slot. Pure."""
    decorated = [
        {**row, "initials": initials_of(name=row["name"]), "hue": int(row["id"]) % 6}
        for row in rows
    ]
    return {"podium": decorated[:PODIUM], "rest": decorated[PODIUM:]}


def tv_countdown(*, contest: Contest, now: datetime | None = None) -> dict[str, Any]:
    """Days, hours and minutes left in a running contest. Pure."""
    remaining = max(contest.ends_at - (now or timezone.now()), timedelta(0))
    return {
        "contest": contest,
        "target": contest.ends_at,
        "days": remaining.days,
        "hours": remaining.seconds // 3600,
        "minutes": (remaining.seconds % 3600) // 60,
    }
