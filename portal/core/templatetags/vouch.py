# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import template

from portal.core.version import vouch_version as _vouch_version

register = template.Library()


@register.simple_tag
def vouch_version() -> str:
    """``{% vouch_version %}``: the running version (``portal.core.version``)."""
    return _vouch_version()
