# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class ContentSitemap(Sitemap):
    """Every language's tree (Wagtail's lists the original's only); restricted pages drop
    out through ContentPage.get_sitemap_urls."""

    def items(self):
        root = self.get_wagtail_site().root_page
        homes = Page.objects.filter(translation_key=root.translation_key)
        pages = Page.objects.none()
        for home in homes:
            pages |= Page.objects.descendant_of(home, inclusive=True)
        return pages.live().public().order_by("path").defer_streamfields().specific()
