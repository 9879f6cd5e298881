# SPDX-License-Identifier: AGPL-3.0-or-later
"""A confirmation step before an irreversible or money action, without JavaScript.

A view calls ``confirmation_needed`` first: when the POST does not yet carry
``confirmed=yes``, it answers a page that says what will happen and repeats the same POST
(every field, plus ``confirmed=yes``) behind a confirm button; a Cancel link goes back.
The page works under the strict CSP (no inline script) and with JavaScript off."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmation_needed(
    *,
    request: HttpRequest,
    title: str,
    consequences: Sequence[str],
    confirm_label: str,
    cancel_url: str,
    admin: bool = False,
    danger: bool = False,
) -> HttpResponse | None:
    """``None`` when the person has confirmed this POST; otherwise the page asking them.

    Checks only the ``confirmed`` field: permission and state are checked by the service
    the view calls afterwards, as for any POST."""
    if request.POST.get(CONFIRMED) == "yes":
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in values
    ]
    return render(
        request,
        "core/confirm_admin.html" if admin else "core/confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "fields": fields,
            "action": request.get_full_path(),
            "danger": danger,
        },
    )
