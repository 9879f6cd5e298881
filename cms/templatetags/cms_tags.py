# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Characters that could end the script element or open markup inside JSON.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict):
    """schema.org data in a non-executable script element (CSP does not apply to it)."""
    # Safe: <, > and & are escaped above, so the JSON cannot close the element.
    payload = mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))  # noqa: S308
    return format_html('<script type="application/ld+json">{}</script>', payload)


@register.simple_tag(takes_context=True)
def page_translations(context, page) -> list[dict]:
    """The page in every language it is published in, for the language switcher: code,
    the language's own name, URL, and whether it is the page being read. Translations
    share the page's audience, so a reader who may see one may see them all."""
    from django.utils.translation import get_language_info

    pages = page.get_translations(inclusive=True).live().select_related("locale")
    request = context.get("request")
    found = []
    for translation in sorted(pages, key=lambda p: p.locale.language_code):
        code = translation.locale.language_code
        found.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": translation.get_url(request),
                "current": translation.pk == page.pk,
            }
        )
    return found
