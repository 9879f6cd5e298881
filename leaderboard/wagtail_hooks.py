# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.i18n import translated_form_fields

from .models import Contest, ContestGoal


class ContestViewSet(ModelViewSet):
    model = Contest
    icon = "success"
    menu_label = _("Contests")
    menu_order = 230
    add_to_admin_menu = True
    form_fields = translated_form_fields(
        Contest,
        [
            "name",
            "description",
            "metric",
            "eligibility",
            "tier",
            "team",
            "profile",
            "starts_at",
            "ends_at",
            "format",
            "prizes",
            "minimum_score",
            "pot_percent",
            "pot_currency",
            "pot_shares",
            "goal_target",
            "team_top_n",
        ],
    )
    list_display = ["name", "format", "starts_at", "ends_at", "eligibility", "closed_at"]


class ContestGoalViewSet(ModelViewSet):
    model = ContestGoal
    icon = "success"
    menu_label = _("Contest targets")
    menu_order = 231
    add_to_admin_menu = True
    form_fields = ["contest", "participant", "target"]
    list_display = ["contest", "participant", "target"]


@hooks.register("register_admin_viewset")
def register_contests():
    return ContestViewSet("contests")


@hooks.register("register_admin_viewset")
def register_contest_goals():
    return ContestGoalViewSet("contest_goals")
