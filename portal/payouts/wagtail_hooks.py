# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from portal.accounts.roles import Role
from portal.accounts.selectors import has_role

from . import admin_urls
from .models import CommissionPlan, PartnerPlan, ProgramCommissionSettings


@hooks.register("register_admin_urls")
def register_payout_urls():
    return [path("payouts/", include(admin_urls, namespace="payouts_admin"))]


class FinanceMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(user=request.user, roles=(Role.FINANCE,))


@hooks.register("register_admin_menu_item")
def register_commissions_menu_item():
    return FinanceMenuItem(
        _("Commissions"), reverse("payouts_admin:commissions"), icon_name="form", order=120
    )


@hooks.register("register_admin_menu_item")
def register_batches_menu_item():
    return FinanceMenuItem(
        _("Payout batches"), reverse("payouts_admin:batches"), icon_name="download", order=130
    )


class PlanViewSet(ModelViewSet):
    model = CommissionPlan
    icon = "form"
    menu_label = _("Commission plans")
    form_fields = [
        "name",
        "kind",
        "flat_amount",
        "percent",
        "currency",
        "cap_per_lead",
        "cap_per_month",
        "hold_days",
    ]
    list_display = ["name", "kind", "flat_amount", "percent", "currency", "hold_days"]


class PartnerPlanViewSet(ModelViewSet):
    model = PartnerPlan
    icon = "group"
    menu_label = _("Partner plans")
    form_fields = ["organisation", "program", "plan"]
    list_display = ["organisation", "program", "plan"]


class ProgramSettingsViewSet(ModelViewSet):
    model = ProgramCommissionSettings
    icon = "cogs"
    menu_label = _("Program defaults")
    form_fields = ["program", "partner_plan", "employee_bonus", "employee_bonus_currency"]
    list_display = ["program", "partner_plan", "employee_bonus"]


class PlansGroup(ModelViewSetGroup):
    menu_label = _("Commission plans")
    menu_icon = "form"
    menu_order = 220
    items = (
        PlanViewSet("commission_plans"),
        PartnerPlanViewSet("partner_plans"),
        ProgramSettingsViewSet("program_commission_settings"),
    )


@hooks.register("register_admin_viewset")
def register_plans():
    return PlansGroup()
