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
