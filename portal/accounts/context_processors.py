from __future__ import annotations

from .selectors import navigation_for, roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    return {"nav_items": navigation_for(user), "user_roles": {r.value for r in roles_of(user)}}
