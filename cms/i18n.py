# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages and their translations (wagtail-localize): which one a given person reads."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Page


def translations_by_language(page: Page) -> dict[str, Page]:
    """Language code → the live page in that language (the page itself included)."""
    pages = page.get_translations(inclusive=True).live().select_related("locale").specific()
    return {p.locale.language_code: p for p in pages}


def page_for_reader(translations: dict[str, Page], original: Page, user) -> Page:
    """The translation in the user's language, else the default language's, else the
    original."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return translations.get(language) or translations.get(settings.LANGUAGE_CODE) or original


def original_of(page: Page) -> Page:
    """The page in the default language (the translation source), else the page itself.
    By language code: a database without Wagtail's locale rows (a flushed test database)
    still answers."""
    original = (
        type(page)
        .objects.filter(translation_key=page.translation_key)
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .first()
    )
    return original or page


def searchable_pages(language: str):
    """Live pages in the reader's language, or in the default language when nothing has
    been translated into theirs yet."""
    from wagtail.models import Locale

    locales = dict(Locale.objects.values_list("language_code", "pk"))
    pages = Page.objects.live()
    for code in (language, settings.LANGUAGE_CODE):
        if code in locales and pages.filter(locale_id=locales[code], depth__gt=1).exists():
            return pages.filter(locale_id=locales[code])
    return pages
