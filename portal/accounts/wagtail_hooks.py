# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admin screens for reviewers: partner organisations and teams.

An organisation's status is changed from the portal's Partners page (that path writes
the audit record), so the admin form leaves it out.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import PartnerOrganisation, Team


class PartnerOrganisationViewSet(ModelViewSet):
    model = PartnerOrganisation
    icon = "group"
    menu_label = _("Partner organisations")
    list_display = ["name", "email_domain", "status", "tier", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "email_domain"]
    form_fields = ["name", "email_domain", "tier"]


class TeamViewSet(ModelViewSet):
    model = Team
    icon = "user"
    menu_label = _("Teams")
    list_display = ["name"]
    search_fields = ["name"]
    form_fields = ["name", "managers"]


class PeopleGroup(ModelViewSetGroup):
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 300
    items = (PartnerOrganisationViewSet("partner_organisations"), TeamViewSet("teams"))


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleGroup()
