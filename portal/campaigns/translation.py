# SPDX-License-Identifier: AGPL-3.0-or-later
"""A campaign's texts in every language (django-modeltranslation): each ask is written in
its recipient's language, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Campaign


@register(Campaign)
class CampaignTranslation(TranslationOptions):
    fields = ("name", "subject_a", "subject_b", "body")
    required_languages = {"en": ("name", "subject_a", "body")}
