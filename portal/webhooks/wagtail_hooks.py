# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.leads.wagtail_hooks import ReviewerMenuItem

from . import admin_urls


@hooks.register("register_admin_urls")
def register_webhook_urls():
    return [path("integrations/", include(admin_urls, namespace="webhooks_admin"))]


@hooks.register("register_admin_menu_item")
def register_integrations_menu_item():
    return ReviewerMenuItem(
        _("Integrations"), reverse("webhooks_admin:index"), icon_name="link", order=150
    )
