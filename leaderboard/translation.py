# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contest texts people read, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Contest


@register(Contest)
class ContestTranslation(TranslationOptions):
    fields = ("name", "description", "prizes")
    required_languages = ("en",)
