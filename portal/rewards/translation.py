# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tier, badge, reward and raffle texts people read, in every language
(django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Badge, Raffle, RewardItem, Tier


@register(Tier)
class TierTranslation(TranslationOptions):
    fields = ("name", "perks")
    required_languages = ("en",)


@register(Badge)
class BadgeTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(RewardItem)
class RewardItemTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Raffle)
class RaffleTranslation(TranslationOptions):
    fields = ("name", "description", "prize")
    required_languages = ("en",)
