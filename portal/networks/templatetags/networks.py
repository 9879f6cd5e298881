# SPDX-License-Identifier: AGPL-3.0-or-later
"""{% reciprocity_insight %}: the insight page's reciprocity section (one include)."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import reciprocity_overview

register = template.Library()


@register.inclusion_tag("networks/_insight.html", takes_context=True)
def reciprocity_insight(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    return {"balances": reciprocity_overview(user=user) if user is not None else []}
