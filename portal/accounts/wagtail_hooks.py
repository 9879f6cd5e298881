# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admin screens for reviewers: partner organisations and teams.

An organisation's status is changed from the portal's Partners page (that path writes
the audit record), so the admin form leaves it out.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic.models import EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import PartnerOrganisation, Team
from .services import organisation_update


class OrganisationEditView(EditView):
    """Edits go through the service: audited, and a new name reaches the boards."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:  # a rule the form cannot know (nothing was saved)
            form.add_error(None, exc)
            return self.form_invalid(form)

    def save_instance(self):
        data = self.form.cleaned_data
        return organisation_update(
            actor=self.request.user,
            organisation=self.form.instance,
            name=data["name"],
            email_domain=data.get("email_domain", ""),
            tier=data.get("tier"),
        )


class PartnerOrganisationViewSet(ModelViewSet):
    model = PartnerOrganisation
    edit_view_class = OrganisationEditView
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
