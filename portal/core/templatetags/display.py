# SPDX-License-Identifier: AGPL-3.0-or-later
"""``{% load display %}{{ person|shown_to:viewer }}``: how a person appears to a viewer in a
template or an e-mail, by the one rule of ``portal.accounts.display``. A viewer of ``None``
is an outsider (an invitee, a screen): they see employees as partners do."""

from __future__ import annotations

from typing import Any

from django import template

from portal.accounts.display import person_name_for

register = template.Library()


@register.filter
def shown_to(person: Any, viewer: Any) -> str:
    if person is None:
        return ""
    return person_name_for(person=person, viewer=viewer)
