from __future__ import annotations

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import Resolver404, resolve


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, except that a 404 from one of the portal's own (unprefixed) views stays a
    404. Django redirects every unprefixed 404 to /<lang>/<path> when that path is valid,
    and the CMS's catch-all makes every path valid: "not yours" would become a redirect."""

    def process_response(self, request, response):
        if response.status_code == 404 and _resolves(request.path_info):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True
