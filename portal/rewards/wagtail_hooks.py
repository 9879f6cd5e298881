# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from portal.core.i18n import translated_form_fields
from portal.leads.wagtail_hooks import ReviewerMenuItem

from . import admin_urls
from .models import Badge, CodeClient, Milestone, OfferCode, PointRule, Raffle, RewardItem, Tier


@hooks.register("register_admin_urls")
def register_reward_urls():
    return [path("rewards/", include(admin_urls, namespace="rewards_admin"))]


@hooks.register("register_admin_menu_item")
def register_redemptions_menu_item():
    return ReviewerMenuItem(
        _("Redemptions"), reverse("rewards_admin:redemptions"), icon_name="pick", order=110
    )


def _viewset(model_, icon_, label, fields, columns, filters=()):
    return type(
        f"{model_.__name__}ViewSet",
        (ModelViewSet,),
        {
            "model": model_,
            "icon": icon_,
            "menu_label": label,
            "form_fields": translated_form_fields(model_, fields),
            "list_display": columns,
            "list_filter": list(filters),
        },
    )


class RewardsGroup(ModelViewSetGroup):
    menu_label = _("Rewards")
    menu_icon = "pick"
    menu_order = 210
    items = (
        _viewset(
            RewardItem,
            "pick",
            _("Catalog"),
            [
                "name",
                "description",
                "kind",
                "points_price",
                "stock",
                "eligible_tiers",
                "image",
                "is_active",
                "value",
                "value_currency",
                "programs",
                "face_value",
                "face_value_kind",
                "code_valid_days",
                "raffle",
            ],
            ["name", "kind", "points_price", "stock", "is_active"],
            ["kind", "is_active"],
        )("reward_items"),
        _viewset(
            PointRule,
            "plus",
            _("Point rules"),
            ["program", "event", "beneficiary", "points"],
            ["program", "event", "beneficiary", "points"],
            ["program"],
        )("point_rules"),
        _viewset(
            Tier,
            "order",
            _("Tiers"),
            ["program", "name", "threshold", "commission_multiplier", "perks"],
            ["program", "name", "threshold", "commission_multiplier"],
            ["program"],
        )("tiers"),
        _viewset(
            Badge,
            "success",
            _("Badges"),
            ["slug", "name", "description", "criterion", "threshold", "order"],
            ["name", "criterion", "threshold"],
        )("badges"),
        _viewset(
            Milestone,
            "success",
            _("Milestones"),
            ["program", "qualified_count", "reward"],
            ["program", "qualified_count", "reward"],
        )("milestones"),
        _viewset(
            Raffle,
            "tag",
            _("Raffles"),
            [
                "name",
                "description",
                "prize",
                "winners_count",
                "starts_at",
                "ends_at",
                "ticket_price",
            ],
            ["name", "prize", "ends_at", "drawn_at"],
        )("raffles"),
        _viewset(
            OfferCode,
            "key",
            _("Welcome offer codes"),
            ["program", "code"],
            ["code", "program", "lead", "issued_at"],
            ["program"],
        )("offer_codes"),
        _viewset(
            CodeClient,
            "key",
            _("Code clients (shops, tills, CRMs)"),
            ["name", "source", "secret", "is_active"],
            ["name", "source", "is_active"],
        )("code_clients"),
    )


@hooks.register("register_admin_viewset")
def register_rewards():
    return RewardsGroup()
