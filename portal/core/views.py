# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.i18n import JavaScriptCatalog


def javascript_catalog(request, lang: str):
    """The strings of static/js/*.js in one language (djangojs domain), as a script from
    our own origin, so the strict CSP (no inline scripts) holds. One URL per language:
    browsers and proxies may cache it."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(lang):
        response = JavaScriptCatalog.as_view(domain="djangojs")(request)
    patch_cache_control(response, public=True, max_age=3600)
    return response
