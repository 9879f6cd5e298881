from __future__ import annotations

from wagtail.models import Site

from .audience import visible_pages


def content_menu(request) -> list:
    """Pages under the home page marked 'show in menus' that this reader may see."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    pages = site.root_page.get_children().live().in_menu().order_by("path")
    return visible_pages(pages, request.user)
