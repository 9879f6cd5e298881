# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from portal.core.forms import add_service_errors
from portal.core.redirects import safe_next

from . import services
from .decorators import role_required
from .forms import InvitationAcceptForm, InvitationForm, PartnerOrganisationForm, PreferencesForm
from .models import PartnerOrganisation
from .personal_data import personal_data_of, write_csv
from .roles import Role
from .selectors import (
    dashboard_url_for,
    invitations_visible_to,
    organisation_members,
    organisations_visible_to,
)


def _back(request) -> str:
    return safe_next(request=request, fallback=dashboard_url_for(user=request.user))


def invitation_accept(request, token: str):
    invitation = services.invitation_for_token(token=token)
    try:
        services.invitation_check_usable(invitation=invitation)
    except ValidationError as exc:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": exc.messages[0]},
            status=410 if invitation else 404,
        )
    if request.user.is_authenticated:
        messages.info(request, _("You are already logged in. Log out to accept this invitation."))
        return redirect(dashboard_url_for(user=request.user))
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            assert invitation is not None  # invitation_check_usable refuses a missing one
            if invitation.state != "pending":
                return render(
                    request,
                    "accounts/invitation_invalid.html",
                    {"reason": exc.messages[0]},
                    status=410,
                )
            add_service_errors(form, exc)
        else:
            organisation = user.partner_organisation
            assert organisation is not None  # an invitation always names its organisation
            messages.success(
                request, _("Welcome to %(org)s on Vouch.") % {"org": organisation.name}
            )
            return perform_login(
                request,
                user,
                email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
                redirect_url=dashboard_url_for(user=user),
            )
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@role_required(Role.REVIEWER)
def partner_list(request):
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                email_domain=form.cleaned_data["email_domain"],
            )
            services.invitation_create(
                actor=request.user,
                organisation=org,
                email=form.cleaned_data["admin_email"],
                as_admin=True,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(org)s created; the invitation is on its way.") % {"org": org.name}
            )
            return redirect("accounts:partner_list")
    organisations = organisations_visible_to(user=request.user).annotate(
        member_count=Count("users", filter=Q(users__is_active=True)),
        pending_invitations=Count(
            "invitations",
            filter=Q(invitations__accepted_at__isnull=True, invitations__revoked_at__isnull=True),
        ),
    )
    return render(
        request, "accounts/partner_list.html", {"form": form, "organisations": organisations}
    )


@role_required(Role.REVIEWER)
@require_POST
def partner_status(request, pk: int):
    org = get_object_or_404(organisations_visible_to(user=request.user), pk=pk)
    status = request.POST.get("status", "")
    try:
        services.organisation_set_status(
            actor=request.user, organisation=org, status=status, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(org)s is now %(status)s.")
            % {"org": org.name, "status": PartnerOrganisation.Status(status).label},
        )
    return redirect("accounts:partner_list")


@role_required(Role.REVIEWER, Role.PARTNER_ADMIN)
@require_POST
def invite(request, pk: int | None = None):
    """Reviewers invite into any organisation; partner admins, users into their own."""
    if pk is None:
        pk = request.user.partner_organisation_id
    org = get_object_or_404(organisations_visible_to(user=request.user), pk=pk)
    form = InvitationForm(request.POST)
    as_admin = request.POST.get("as_admin") == "1"
    if form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                organisation=org,
                email=form.cleaned_data["email"],
                as_admin=as_admin,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_back(request))


@role_required(Role.REVIEWER, Role.PARTNER_ADMIN)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(invitations_visible_to(user=request.user), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect(_back(request))


@role_required(Role.PARTNER_ADMIN)
@require_POST
def member_deactivate(request, pk: int):
    member = get_object_or_404(organisation_members(user=request.user), pk=pk)
    try:
        name = member.display_name
        services.partner_user_remove(actor=request.user, user=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "%(name)s's account is removed: they can no longer log in and their personal data is erased."
            )
            % {"name": name},
        )
    return redirect("dashboards:organisation")


@login_required
def preferences(request):
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "show_initials_only": user.show_initials_only,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(user=user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def language_set(request):
    """The language picker: Django's own (a cookie for visitors, the next page in the new
    language) and, for a signed-in user, their saved language, which otherwise wins."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


@login_required
def my_data(request, fmt: str):
    """The signed-in user's own personal data, as a JSON or CSV download."""
    if fmt not in ("json", "csv"):
        raise Http404
    data = personal_data_of(user=request.user)
    filename = f"vouch-my-data.{fmt}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(data, json_dumps_params={"indent": 2})
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(data=data, out=response)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
