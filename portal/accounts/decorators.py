# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import Role
from .selectors import has_role


def role_required(*roles: Role):
    """Anonymous visitors go to the login page; logged-in users without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(user=request.user, roles=roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def admin_role_required(role: Role, template: str):
    """For screens inside the Wagtail admin: Wagtail turns PermissionDenied into a
    redirect, and a denial must stay a 403, so the refusal is rendered here."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(user=request.user, roles=(role,)):
                from django.shortcuts import render

                return render(request, template, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
