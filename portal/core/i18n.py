# SPDX-License-Identifier: AGPL-3.0-or-later
"""Translated database fields (django-modeltranslation) in the admin's forms."""

from __future__ import annotations

from django.conf import settings
from modeltranslation.translator import NotRegistered, translator


def translated_form_fields(model, fields: list[str]) -> list[str]:
    """``["name", "kind"]`` → ``["name_en", "name_fi", ..., "kind"]``: editors fill each
    language of a translated field (English is required; an empty one shows English)."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return list(fields)
    translated = set(options.fields)  # type: ignore[attr-defined]  # set by the metaclass
    expanded: list[str] = []
    for field in fields:
        if field in translated:
            expanded.extend(f"{field}_{code}" for code, _name in settings.LANGUAGES)
        else:
            expanded.append(field)
    return expanded


def active_language() -> str:
    """The language being written in now: the default of ``language`` columns that record
    which language a stored text (a notification, a ledger reason) was written in."""
    from django.utils import translation

    return (translation.get_language() or "")[:8]
