# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewers write each reciprocal partner's quotas (per agreement version) and the
points programs give for outbound leads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import ProgramNetworkOptions, ReciprocalTerms


class TermsViewSet(ModelViewSet):
    model = ReciprocalTerms
    icon = "group"
    menu_label = _("Reciprocal terms")
    form_fields = [
        "organisation",
        "agreement_version",
        "valid_from",
        "period",
        "quota_sent",
        "quota_received",
    ]
    list_display = ["organisation", "agreement_version", "valid_from", "period"]


class OptionsViewSet(ModelViewSet):
    model = ProgramNetworkOptions
    icon = "cogs"
    menu_label = _("Outbound points")
    form_fields = ["program", "outbound_points_sent", "outbound_points_won"]
    list_display = ["program", "outbound_points_sent", "outbound_points_won"]


class NetworksGroup(ModelViewSetGroup):
    menu_label = _("Referral networks")
    menu_icon = "group"
    menu_order = 230
    items = (TermsViewSet("reciprocal_terms"), OptionsViewSet("network_options"))


@hooks.register("register_admin_viewset")
def register_networks():
    return NetworksGroup()
