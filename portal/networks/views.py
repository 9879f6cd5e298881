# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import timedelta

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.accounts.selectors import dashboard_url_for, is_partner
from portal.audit.selectors import audit_events_for
from portal.core.forms import add_service_errors
from portal.leads.referrals import referral_link_for
from portal.leads.selectors import leads_visible_to, programs_open_to, referral_share_links
from portal.rewards.selectors import balance_of, catalog_for

from . import recruitment, services
from .customers import (
    customer_invitation_for_token,
    partner_application_submit,
    partner_path_offered,
)
from .customers import customer_signup as customer_signup_service
from .forms import (
    CustomerSignupForm,
    OutboundForm,
    OutboundLostForm,
    OutboundWonForm,
    PartnerApplicationForm,
    RecruitmentApplicationForm,
)
from .models import OutboundStatus
from .periods import period_from_key, period_shift
from .selectors import (
    outbound_may_update,
    outbound_pii_visible,
    outbound_visible_to,
    reciprocal_partners_open,
    reciprocal_partners_visible_to,
    reciprocal_terms_for,
    reciprocity_balance,
    reciprocity_overview,
    recruitments_for_review,
    recruits_of,
)

READERS = (Role.EMPLOYEE, Role.PARTNER_USER)  # managers and reviewers are employees
BALANCE_READERS = (Role.REVIEWER, Role.PARTNER_USER)


@role_required(*READERS)
def outbound_list(request):
    leads = outbound_visible_to(user=request.user)
    status = request.GET.get("status", "")
    if status in OutboundStatus.values:
        leads = leads.filter(status=status)
    page = Paginator(leads.order_by("-sent_at", "-pk"), 25).get_page(request.GET.get("page"))
    for outbound in page:
        outbound.show_pii = outbound_pii_visible(user=request.user, outbound=outbound)
    return render(
        request,
        "networks/outbound_list.html",
        {
            "page": page,
            "status": status,
            "statuses": OutboundStatus.choices,
            "balances": reciprocity_overview(user=request.user),
            "may_send": not is_partner(user=request.user),
            "active_nav": "network",
        },
    )


@role_required(Role.EMPLOYEE)
def outbound_new(request):
    partners = reciprocal_partners_open()
    programs = programs_open_to(user=request.user)
    form = OutboundForm(request.POST or None, programs=programs, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            outbound = services.outbound_send(
                sender=request.user,
                organisation=form.cleaned_data["organisation"],
                program=form.cleaned_data["program"],
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if outbound.flags:
                messages.warning(
                    request,
                    _("Sent, with a warning: %(reason)s")
                    % {"reason": outbound.flags[0]["message"]},
                )
            else:
                messages.success(
                    request,
                    _("Sent to %(partner)s. You will hear when they update it.")
                    % {"partner": outbound.organisation.name},
                )
            return redirect("networks:outbound_detail", pk=outbound.pk)
    return render(
        request,
        "networks/outbound_new.html",
        {
            "form": form,
            "has_partners": partners.exists(),
            "has_programs": programs.exists(),
            "active_nav": "network",
        },
    )


@role_required(*READERS)
def outbound_detail(request, pk: int):
    outbound = get_object_or_404(outbound_visible_to(user=request.user), pk=pk)
    may_update = outbound_may_update(user=request.user, outbound=outbound)
    return render(
        request,
        "networks/outbound_detail.html",
        {
            "outbound": outbound,
            "show_pii": outbound_pii_visible(user=request.user, outbound=outbound),
            "timeline": audit_events_for(target=outbound),
            "may_update": may_update,
            "won_form": OutboundWonForm(prefix="won") if may_update else None,
            "lost_form": OutboundLostForm(prefix="lost") if may_update else None,
            "active_nav": "network",
        },
    )


@role_required(Role.PARTNER_USER)
@require_POST
def outbound_update(request, pk: int, action: str):
    outbound = get_object_or_404(outbound_visible_to(user=request.user), pk=pk)
    try:
        if action == "accept":
            services.outbound_accept(outbound=outbound, actor=request.user)
        elif action == "win":
            won = OutboundWonForm(request.POST, prefix="won")
            if not won.is_valid():
                raise ValidationError([str(e) for errors in won.errors.values() for e in errors])
            services.outbound_mark_won(
                outbound=outbound,
                actor=request.user,
                deal_value=won.cleaned_data["deal_value"],
                currency=won.cleaned_data["currency"],
            )
        elif action == "lose":
            services.outbound_mark_lost(
                outbound=outbound, actor=request.user, reason=request.POST.get("lost-reason", "")
            )
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("Updated. The sender has been told."))
    return redirect("networks:outbound_detail", pk=outbound.pk)


@role_required(*BALANCE_READERS)
def balance(request, pk: int):
    organisation = get_object_or_404(reciprocal_partners_visible_to(user=request.user), pk=pk)
    now = timezone.now()
    terms = reciprocal_terms_for(organisation=organisation, at=now)
    if terms is None:  # terms that start later: the partner is not reciprocal yet
        raise Http404
    span = period_from_key(kind=terms.period, key=request.GET.get("period", ""))
    if span is None or span.start > now:
        span = None
    at = min(now, span.end - timedelta(microseconds=1)) if span else now
    found = reciprocity_balance(organisation=organisation, at=at, span=span)
    if found is None:
        found = reciprocity_balance(organisation=organisation, at=now)
    assert found is not None
    return render(
        request,
        "networks/balance.html",
        {
            "organisation": organisation,
            "balance": found,
            "previous": found.trend[-2].span.key if len(found.trend) > 1 else "",
            "is_current": found.span.contains(now),
            "next": "" if found.span.contains(now) else period_shift(span=found.span, by=1).key,
            "recent": outbound_visible_to(user=request.user)
            .filter(
                organisation=organisation, sent_at__gte=found.span.start, sent_at__lt=found.span.end
            )
            .order_by("-sent_at")[:10],
            "active_nav": "network",
        },
    )


def customer_signup(request, token: str):
    """One step from the e-mail: a name and a password, and the customer is in."""
    invitation = customer_invitation_for_token(token=token)
    if invitation is None:
        return render(request, "networks/customer_invalid.html", status=410)
    if request.user.is_authenticated:
        messages.info(request, _("You are already logged in. Log out to accept this invitation."))
        return redirect(dashboard_url_for(user=request.user))
    form = CustomerSignupForm(request.POST or None, initial={"first_name": invitation.first_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_signup_service(
                token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Welcome! Here is your own referral link."))
            return perform_login(
                request,
                user,
                email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
                redirect_url=reverse("networks:customer_home"),
            )
    return render(
        request, "networks/customer_signup.html", {"form": form, "invitation": invitation}
    )


@role_required(Role.CUSTOMER)
def customer_home(request):
    """The customer's own page: their link, their referrals, their points and the rewards
    those points reach."""
    link = referral_link_for(user=request.user)
    return render(
        request,
        "networks/customer_home.html",
        {
            "share": referral_share_links(link=link),
            "leads": leads_visible_to(user=request.user).order_by("-submitted_at")[:20],
            "balance": balance_of(participant=request.user),
            "rewards": catalog_for(user=request.user)[:6],
            "partner_form": PartnerApplicationForm()
            if partner_path_offered(user=request.user)
            else None,
            "application": getattr(request.user, "partner_application", None),
            "active_nav": "customer",
        },
    )


@role_required(Role.CUSTOMER)
@require_POST
def partner_apply(request):
    form = PartnerApplicationForm(request.POST)
    if form.is_valid():
        try:
            application = partner_application_submit(
                user=request.user,
                name=form.cleaned_data["name"],
                email_domain=form.cleaned_data["email_domain"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Thank you! %(organisation)s is in review; we will be in touch.")
                % {"organisation": application.organisation.name},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("networks:customer_home")


@role_required(Role.PARTNER_ADMIN)
def recruitment_link(request):
    """The partner admin's recruitment link, and the organisations it brought in."""
    try:
        token = recruitment.recruitment_token(actor=request.user)
    except PermissionDenied as exc:
        token, refusal = "", str(exc)
    else:
        refusal = ""
    url = (
        request.build_absolute_uri(reverse("networks:recruitment_apply", args=[token]))
        if token
        else ""
    )
    return render(
        request,
        "networks/recruitment_link.html",
        {
            "url": url,
            "refusal": refusal,
            "recruits": recruits_of(user=request.user),
            "active_nav": "network",
        },
    )


def recruitment_apply(request, token: str):
    """A company invited by a partner applies to become a partner itself."""
    recruiter = recruitment.recruiter_for_token(token=token)
    if recruiter is None:
        return render(request, "networks/recruitment_invalid.html", status=404)
    form = RecruitmentApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applied = recruitment.recruitment_apply(token=token, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "networks/recruitment_applied.html", {"recruitment": applied})
    return render(
        request, "networks/recruitment_apply.html", {"form": form, "recruiter": recruiter}
    )


@role_required(Role.REVIEWER)
def recruitment_list(request):
    """Reviewers: applications that came through partners' recruitment links."""
    return render(
        request,
        "networks/recruitment_list.html",
        {"recruitments": recruitments_for_review(user=request.user), "active_nav": "network"},
    )


@role_required(Role.REVIEWER)
@require_POST
def recruitment_decide(request, pk: int, decision: str):
    if decision not in ("approve", "decline"):
        raise Http404
    found = get_object_or_404(recruitments_for_review(user=request.user), pk=pk)
    try:
        recruitment.recruitment_decide(
            actor=request.user, recruitment=found, approve=decision == "approve"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            (_("%(org)s was approved.") if decision == "approve" else _("%(org)s was declined."))
            % {"org": found.organisation.name},
        )
    return redirect("networks:recruitment_list")
