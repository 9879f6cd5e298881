# SPDX-License-Identifier: AGPL-3.0-or-later
"""Odd input is refused with a clear 400, never a 500 (README "Odd input").

A NUL character cannot be stored in PostgreSQL text, and no address or query of the
portal needs one: a request carrying one in its path or query string is answered here,
before any view looks it up. Form fields are covered by Django's and DRF's own
``ProhibitNullCharactersValidator``; services validating data of their own (lead contact
data, CSV import rows) check with :func:`has_nul`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def has_nul(value: str) -> bool:
    return NUL in value


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_query = request.META.get("QUERY_STRING", "")
        if has_nul(request.path) or b"\x00" in unquote_to_bytes(raw_query):
            message = _("The address contains a NUL character, which no page accepts.")
            if request.path.startswith("/api/"):
                # The API's one 400 shape (portal/api/errors.py): "fields" is always there.
                return JsonResponse(
                    {"code": "invalid_input", "message": message, "fields": {}}, status=400
                )
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
