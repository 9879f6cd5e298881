# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.leads.wagtail_hooks import ReviewerMenuItem


@hooks.register("register_admin_menu_item")
def register_fraud_menu_item():
    return ReviewerMenuItem(
        _("Fraud review"), reverse("fraud:queue"), icon_name="warning", order=111
    )
