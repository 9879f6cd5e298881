# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.models import Site

from .audience import visible_pages
from .cache import TIMEOUT, key


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str
    path: str


def _menu_items(request) -> list[MenuItem]:
    """Every menu entry of the request's site in the active language, cached until a page
    is published or moved."""
    # The home page of the reader's language (its translation), or the original.
    cache_key = key(f"menu:{request.get_host()}:{get_language()}")
    items = cache.get(cache_key)
    if items is None:
        site = Site.find_for_request(request)
        pages = (
            site.root_page.localized.get_children().live().in_menu().order_by("path")
            if site is not None
            else []
        )
        items = [MenuItem(p.title, p.get_url(request), p.path) for p in pages]
        cache.set(cache_key, items, TIMEOUT)
    return items


def content_menu(request) -> list[MenuItem]:
    """Pages under the home page marked 'show in menus' that this reader may see."""
    return visible_pages(_menu_items(request), request.user)
