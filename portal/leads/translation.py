# SPDX-License-Identifier: AGPL-3.0-or-later
"""Program texts people read, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Program


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("name", "description", "pitch", "landing_headline", "welcome_offer", "consent_text")
    required_languages = ("en",)
