# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.core.i18n import translated_form_fields

from . import admin_urls
from .models import DisposableEmailDomain, Program


@hooks.register("register_admin_urls")
def register_lead_urls():
    return [path("leads/", include(admin_urls, namespace="leads_admin"))]


class ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(user=request.user, roles=(Role.REVIEWER,))


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return ReviewerMenuItem(
        _("Lead review"), reverse("leads_admin:queue"), icon_name="tasks", order=100
    )


class ProgramViewSet(ModelViewSet):
    model = Program
    icon = "doc-full"
    menu_label = _("Programs")
    list_display = ["name", "audience", "starts_on", "ends_on", "is_enabled"]
    list_filter = ["audience", "is_enabled"]
    search_fields = ["name"]
    form_fields = translated_form_fields(
        Program,
        [
            "name",
            "slug",
            "description",
            "pitch",
            "landing_headline",
            "brand_colour",
            "brand_logo",
            "audience",
            "starts_on",
            "ends_on",
            "is_enabled",
            "attribution_window_days",
            "two_sided",
            "welcome_offer",
            "consent_text",
            "rule_self_referral",
            "rule_duplicate",
            "rule_disposable_email",
            "rule_daily_cap",
            "daily_cap",
            "review_reminder_days",
        ],
    )


class DisposableDomainViewSet(ModelViewSet):
    model = DisposableEmailDomain
    icon = "warning"
    menu_label = _("Disposable domains")
    list_display = ["domain"]
    search_fields = ["domain"]
    form_fields = ["domain"]


class ProgramsGroup(ModelViewSetGroup):
    menu_label = _("Programs")
    menu_icon = "doc-full"
    menu_order = 200
    items = (ProgramViewSet("programs"), DisposableDomainViewSet("disposable_domains"))


@hooks.register("register_admin_viewset")
def register_programs():
    return ProgramsGroup()
