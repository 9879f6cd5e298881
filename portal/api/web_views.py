# SPDX-License-Identifier: AGPL-3.0-or-later
"""Token pages: personal API tokens (Settings) and an organisation's integration keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.models import PartnerOrganisation
from portal.accounts.roles import Role
from portal.accounts.selectors import needs_mfa_setup, organisations_visible_to
from portal.core.forms import add_service_errors

from . import services
from .forms import IntegrationKeyForm, TokenForm
from .models import ApiToken
from .selectors import (
    can_manage_integration_keys,
    integration_key_candidates,
    integration_keys_of,
    personal_tokens_of,
)


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            row, new_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Token “%(name)s” created. Copy it now: it is shown only once.")
                % {"name": row.name},
            )
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": personal_tokens_of(user=request.user),
            "new_token": new_token,
            "mfa_needed": needs_mfa_setup(user=request.user),
            "docs_url": reverse("api:docs"),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(personal_tokens_of(user=request.user), pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(
        request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("api_tokens:tokens")


def _organisation_for(request, pk: int | None) -> PartnerOrganisation:
    pk = request.user.partner_organisation_id if pk is None else pk
    organisation = get_object_or_404(organisations_visible_to(user=request.user), pk=pk)
    if not can_manage_integration_keys(user=request.user, organisation=organisation):
        raise PermissionDenied
    return organisation


@role_required(Role.PARTNER_ADMIN, Role.REVIEWER)
def integration_keys(request, pk: int | None = None):
    """Partner admins at /partner/integration-keys/; reviewers per organisation under
    /review/ (where the MFA requirement of reviewer powers applies)."""
    if pk is None and not request.user.partner_organisation_id:
        raise Http404
    organisation = _organisation_for(request, pk)
    candidates = integration_key_candidates(organisation=organisation)
    form = IntegrationKeyForm(request.POST or None, candidates=candidates)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            row, new_token = services.integration_key_create(
                actor=request.user,
                organisation=organisation,
                acting_user=form.cleaned_data["acting_user"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Key “%(name)s” created. Copy it now: it is shown only once.")
                % {"name": row.name},
            )
            form = IntegrationKeyForm(candidates=candidates)
    return render(
        request,
        "api/integration_keys.html",
        {
            "organisation": organisation,
            "form": form,
            "keys": integration_keys_of(organisation=organisation),
            "new_token": new_token,
            "revoke_url_name": "api_tokens:integration_key_revoke"
            if pk is None
            else "api_tokens:review_integration_key_revoke",
            "back": request.path,
            "active_nav": "organisation" if pk is None else "partners",
        },
    )


@role_required(Role.PARTNER_ADMIN, Role.REVIEWER)
@require_POST
def integration_key_revoke(request, pk: int):
    key = get_object_or_404(
        ApiToken.objects.select_related("organisation"), pk=pk, organisation__isnull=False
    )
    if key.organisation is None or not can_manage_integration_keys(
        user=request.user, organisation=key.organisation
    ):
        raise Http404
    services.api_token_revoke(actor=request.user, token=key)
    messages.success(request, _("Key “%(name)s” revoked: it no longer works.") % {"name": key.name})
    if request.path.startswith("/review/"):
        return redirect("api_tokens:review_integration_keys", pk=key.organisation_id)
    return redirect("api_tokens:integration_keys")
