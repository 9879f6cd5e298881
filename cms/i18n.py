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
