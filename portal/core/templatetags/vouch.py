# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re

from django import template

from portal.core.version import vouch_version as _vouch_version

register = template.Library()

_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


@register.simple_tag
def vouch_version() -> str:
    """``{% vouch_version %}``: the running version (``portal.core.version``)."""
    return _vouch_version()


@register.filter(is_safe=True)
def one_period(value: str) -> str:
    """``{% filter one_period %}…{% endfilter %}``: a sentence ending in a date that itself
    ends in a period ("11:58 a.m.", Russian "2026 г.") gets one period, not two. An
    ellipsis is left alone."""
    return _DOUBLE_PERIOD.sub(".", str(value))
