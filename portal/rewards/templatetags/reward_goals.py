# SPDX-License-Identifier: AGPL-3.0-or-later
"""``{% goals_progress %}``: the reader's goal progress bars, for any dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from ..goals import goals_progress as progress_of

register = template.Library()


@register.inclusion_tag("rewards/_goals_progress.html", takes_context=True)
def goals_progress(context: template.Context) -> dict[str, Any]:
    # One query when the reader has no goals (only participants set any).
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"goals_progress": []}
    return {"goals_progress": progress_of(participant=user)}
