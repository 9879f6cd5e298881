# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Which language a request is in.

    Content pages carry their language in the URL: /fi/ohjelma/ is Finnish, and an
    unprefixed content page (/program/) is the English original. Every other address (the
    portal's own pages, /r/<code>/, the API) is unprefixed and negotiated as usual: the
    language cookie (footer picker), then the browser's Accept-Language. A signed-in
    user's saved language then wins there (accounts.middleware.UserLanguageMiddleware).

    Django's own middleware, with ``prefix_default_language=False``, would force English
    on every unprefixed address, the portal's included."""

    def process_request(self, request):
        path = request.path_info
        language = translation.get_language_from_path(path)
        request.language_from_url = bool(language) or _is_content_path(path)
        if not language:
            if request.language_from_url:
                language = settings.LANGUAGE_CODE
            else:
                language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


@lru_cache(maxsize=4096)
def _is_content_path(path: str) -> bool:
    """An unprefixed address that only the CMS page tree answers (in English). Remembered:
    resolving costs ~0.1 ms, and the URL patterns do not change while the process runs."""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(path)
        except Resolver404:
            return False
    return match.url_name == "wagtail_serve"
