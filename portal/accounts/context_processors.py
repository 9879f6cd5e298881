# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from portal.notifications.selectors import unread_count

from .selectors import navigation_for, roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset(), "unread_count": 0}
    return {
        "nav_items": navigation_for(user=user),
        "user_roles": {r.value for r in roles_of(user=user)},
        "unread_count": unread_count(user=user),
    }
