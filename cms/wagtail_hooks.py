# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .audience import page_visible_to
from .models import AgreementAcceptance


@hooks.register("before_serve_page")
def enforce_audience(page, request, serve_args, serve_kwargs):
    """Visitors are asked to log in; signed-in people outside the audience get a 404.
    Previews (in the admin) do not pass here, so editors preview every page."""
    if page_visible_to(page, request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


class AgreementAcceptanceViewSet(ModelViewSet):
    """Evidence of who accepted which version of the partner agreement, when, from where.
    Read-only: acceptances are made by partners, never typed in by staff."""

    model = AgreementAcceptance
    icon = "doc-full"
    menu_label = _("Agreement acceptances")
    menu_order = 260
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["user", "version", "accepted_at", "ip_address"]
    list_filter = ["version"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    form_fields = ["user", "page", "version", "ip_address"]


@hooks.register("register_admin_viewset")
def register_agreement_acceptances():
    return AgreementAcceptanceViewSet("agreement-acceptances")
