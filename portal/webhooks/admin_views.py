# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewers' integration screens inside the Wagtail admin: webhook endpoints, their
delivery log (with replays), and CRM integrations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import admin_role_required
from portal.accounts.roles import Role
from portal.core.forms import add_service_errors

from . import crm, services
from .endpoints import endpoint_create, endpoint_rotate_secret, endpoint_update
from .forms import CrmIntegrationForm, EndpointForm
from .models import CrmIntegration, WebhookDelivery, WebhookEndpoint

reviewer_required = admin_role_required(Role.REVIEWER, "leads/admin/forbidden.html")


def _error(request, exc) -> None:
    messages.error(
        request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    )


def _secret_page(request, *, title: str, secret: str, back: str, what):
    """A new secret is shown on this page only: it is never displayed again."""
    return render(
        request,
        "webhooks/admin/secret.html",
        {"title": title, "secret": secret, "back": back, "what": what},
    )


@reviewer_required
def index(request):
    endpoint_form = EndpointForm(prefix="endpoint")
    crm_form = CrmIntegrationForm(prefix="crm")
    if request.method == "POST" and request.POST.get("form") == "endpoint":
        endpoint_form = EndpointForm(request.POST, prefix="endpoint")
        if endpoint_form.is_valid():
            data = endpoint_form.cleaned_data
            try:
                endpoint, secret = endpoint_create(
                    actor=request.user,
                    name=data["name"],
                    url=data["url"],
                    events=data["events"],
                    include_contact_data=data["include_contact_data"],
                )
            except ValidationError as exc:
                add_service_errors(endpoint_form, exc)
            else:
                return _secret_page(
                    request,
                    title=_("Endpoint “%(name)s” registered") % {"name": endpoint.name},
                    secret=secret,
                    back="webhooks_admin:index",
                    what=endpoint,
                )
    elif request.method == "POST" and request.POST.get("form") == "crm":
        crm_form = CrmIntegrationForm(request.POST, prefix="crm")
        if crm_form.is_valid():
            data = crm_form.cleaned_data
            try:
                integration, secret = crm.crm_integration_create(
                    actor=request.user,
                    name=data["name"],
                    source=data["source"],
                    acting_user=data["acting_user"],
                )
            except ValidationError as exc:
                add_service_errors(crm_form, exc)
            else:
                return _secret_page(
                    request,
                    title=_("CRM “%(name)s” registered") % {"name": integration.name},
                    secret=secret,
                    back="webhooks_admin:index",
                    what=integration,
                )
    return render(
        request,
        "webhooks/admin/index.html",
        {
            "endpoints": WebhookEndpoint.objects.all(),
            "integrations": CrmIntegration.objects.select_related("acting_user"),
            "endpoint_form": endpoint_form,
            "crm_form": crm_form,
        },
    )


@reviewer_required
def endpoint(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "include_contact_data": endpoint.include_contact_data,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhooks_admin:endpoint", pk=endpoint.pk)
    deliveries = endpoint.deliveries.all()
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request, "webhooks/admin/endpoint.html", {"endpoint": endpoint, "form": form, "page": page}
    )


@reviewer_required
@require_POST
def endpoint_secret(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    secret = endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    return _secret_page(
        request,
        title=_("New secret for “%(name)s”") % {"name": endpoint.name},
        secret=secret,
        back="webhooks_admin:index",
        what=endpoint,
    )


@reviewer_required
def delivery(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    return render(
        request,
        "webhooks/admin/delivery.html",
        {"delivery": delivery, "attempts": delivery.attempts.all()},
    )


@reviewer_required
@require_POST
def delivery_replay(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    try:
        replay = services.delivery_replay(actor=request.user, delivery=delivery)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
        return redirect("webhooks_admin:delivery", pk=delivery.pk)
    messages.success(request, _("Sent again as a new delivery."))
    return redirect("webhooks_admin:delivery", pk=replay.pk)


@reviewer_required
def integration(request, pk: int):
    integration = get_object_or_404(CrmIntegration, pk=pk)
    form = CrmIntegrationForm(
        request.POST or None,
        editing=True,
        initial={
            "name": integration.name,
            "acting_user": integration.acting_user_id,
            "is_active": integration.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            crm.crm_integration_update(
                actor=request.user, integration=integration, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Integration saved."))
            return redirect("webhooks_admin:integration", pk=integration.pk)
    callbacks = integration.callbacks.select_related("lead")[:50]
    return render(
        request,
        "webhooks/admin/integration.html",
        {"integration": integration, "form": form, "callbacks": callbacks},
    )


@reviewer_required
@require_POST
def integration_secret(request, pk: int):
    integration = get_object_or_404(CrmIntegration, pk=pk)
    secret = crm.crm_integration_rotate_secret(actor=request.user, integration=integration)
    return _secret_page(
        request,
        title=_("New secret for “%(name)s”") % {"name": integration.name},
        secret=secret,
        back="webhooks_admin:index",
        what=integration,
    )
