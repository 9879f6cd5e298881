# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo's texts in every language: CMS pages (``PAGES``, ``announcement(month)``) and
database rows (``DB``: English text → translation). English is the original; the others
are real translations using the terms of ``locale/GLOSSARY.md``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.db.models import Model

TRANSLATIONS = ("fi", "it", "lv", "ru", "tl")


def texts(language: str) -> ModuleType:
    return import_module(f"{__name__}.{language}")


def row_translate(row: Model, fields: list[str]) -> Model:
    """Fill the translation columns of ``fields`` (django-modeltranslation) from each
    language's DB table, keyed by the row's English text. A missing text fails loudly:
    the demo runs fully in every language."""
    changed = []
    for field in fields:
        english = getattr(row, f"{field}_en")
        if not english:
            continue
        for language in TRANSLATIONS:
            setattr(row, f"{field}_{language}", texts(language).DB[english])
            changed.append(f"{field}_{language}")
    if changed:
        row.save(update_fields=changed)
    return row
