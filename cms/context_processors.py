# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .menus import content_menu


def content(request):
    """The program's content sections for the header, read only when a page shows them."""
    return {"content_menu": SimpleLazyObject(lambda: content_menu(request))}
