# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.i18n import translated_form_fields

from .models import Contest


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
            "prizes",
        ],
    )
    list_display = ["name", "starts_at", "ends_at", "eligibility", "closed_at"]


@hooks.register("register_admin_viewset")
def register_contests():
    return ContestViewSet("contests")
