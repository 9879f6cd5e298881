# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one check for where the portal sends a browser back to (``next`` and the like).

Every view that redirects to a target the request names asks :func:`safe_next`: only a
path on this site (or an absolute URL to this very host) is followed; anything else, such as
``https://evil.example/``, ``//evil.example`` or ``javascript:``, falls back to the view's own
page. A URL name in ``next`` is not resolved either: ``redirect()`` would treat it as one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_target(*, request: HttpRequest, target: str) -> bool:
    """Whether ``target`` stays on this site (same host; https when the request is)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(*, request: HttpRequest, fallback: str, field: str = "next") -> str:
    """The ``next`` target of the request (POST first, then GET) when it is safe, else
    ``fallback`` (a URL, a path or a URL name, as ``redirect()`` takes)."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    if is_safe_target(request=request, target=target) and target.startswith(("/", "http")):
        return target
    return resolve_url(fallback)


def redirect_next(
    *, request: HttpRequest, fallback: str, field: str = "next"
) -> HttpResponseRedirect:
    """Redirect to the request's safe ``next`` target, or to ``fallback``."""
    return HttpResponseRedirect(safe_next(request=request, fallback=fallback, field=field))
