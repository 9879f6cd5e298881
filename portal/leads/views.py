# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import io
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.core.confirm import confirmation_needed
from portal.core.forms import add_service_errors
from portal.core.ratelimit import Rate, client_fingerprint, client_ip, rate_limit_hit
from portal.leads.permissions import lead_submission_permission

from . import services
from .forms import LeadForm, ReferralPageForm
from .models import LeadSource, LeadStatus
from .referrals import referral_link_for, referral_link_record_visit
from .rules import duplicate_disclosed
from .selectors import (
    brand_palette,
    lead_pii_visible,
    lead_timeline,
    leads_visible_to,
    program_open_to,
    programs_open_to,
    referral_landing,
    referral_link_by_code,
    referral_share_links,
)

REFERRERS = (Role.EMPLOYEE, Role.PARTNER_USER)


def _submitted_message(request, lead) -> None:
    if lead.status == LeadStatus.REJECTED:
        messages.error(
            request, _("This referral was not accepted: %(reason)s") % {"reason": lead.status_note}
        )
    elif lead.flags:
        messages.warning(
            request,
            _("Thank you! A reviewer will check this referral: %(reason)s")
            % {"reason": lead.flags[0]["message"]},
        )
    else:
        messages.success(
            request, _("Thank you! Your referral is submitted; we will keep you posted.")
        )


@role_required(*REFERRERS)
def lead_new(request):
    permission = lead_submission_permission(user=request.user)
    if request.method == "POST":
        # The posted program is checked on its own row; the choices are read only when
        # the form is shown again.
        form = LeadForm(
            request.POST,
            program_lookup=lambda pk: program_open_to(user=request.user, pk=pk),
        )
        if form.is_valid():
            try:
                lead = services.lead_submit(
                    referrer=request.user,
                    program=form.cleaned_data["program"],
                    data=form.cleaned_data,
                    source=LeadSource.FORM,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                _submitted_message(request, lead)
                return redirect("leads:detail", pk=lead.pk)
    else:
        form = LeadForm()
    programs = programs_open_to(user=request.user)
    form.programs_show(programs)
    return render(
        request,
        "leads/new.html",
        {
            "form": form,
            "permission": permission,
            "has_programs": programs.exists(),
            "active_nav": "refer",
        },
    )


@role_required(*REFERRERS, Role.MANAGER, Role.REVIEWER)
def lead_list(request):
    leads = leads_visible_to(user=request.user)
    status = request.GET.get("status", "")
    if status in LeadStatus.values:
        leads = leads.filter(status=status)
    page = Paginator(leads.order_by("-submitted_at", "-pk"), 25).get_page(request.GET.get("page"))
    for lead in page:
        lead.show_pii = lead_pii_visible(user=request.user, lead=lead)
    return render(
        request,
        "leads/list.html",
        {
            "page": page,
            "status": status,
            "statuses": LeadStatus.choices,
            "active_nav": "leads",
        },
    )


@role_required(*REFERRERS, Role.MANAGER, Role.REVIEWER)
def lead_detail(request, pk: int):
    lead = get_object_or_404(leads_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "leads/detail.html",
        {
            "lead": lead,
            "show_pii": lead_pii_visible(user=request.user, lead=lead),
            "timeline": lead_timeline(lead=lead),
            "duplicate_of": lead.conflict_with_id
            if lead.conflict_with is not None
            and duplicate_disclosed(lead=lead, earlier=lead.conflict_with)
            else None,
            "can_withdraw": lead.referrer_id == request.user.pk
            and lead.status == LeadStatus.SUBMITTED,
            "active_nav": "leads",
        },
    )


@role_required(*REFERRERS)
@require_POST
def lead_withdraw(request, pk: int):
    lead = get_object_or_404(leads_visible_to(user=request.user), pk=pk)
    ask = confirmation_needed(
        request=request,
        title=_("Withdraw this referral?"),
        consequences=[
            _("The referral stops here: it cannot be reopened or qualified later."),
            _("Points it earned are taken back."),
        ],
        confirm_label=_("Withdraw the referral"),
        cancel_url=reverse("leads:detail", args=[lead.pk]),
        danger=True,
    )
    if ask:
        return ask
    try:
        services.lead_withdraw(
            lead=lead, actor=request.user, note=request.POST.get("note", "").strip()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The referral is withdrawn."))
    return redirect("leads:detail", pk=lead.pk)


# --- Referral link: the participant's side --------------------------------------------


@role_required(*REFERRERS)
def referral_share(request):
    link = referral_link_for(user=request.user)
    return render(
        request,
        "leads/share.html",
        {
            **referral_share_links(link=link),
            "landing": referral_landing(link=link),
            "link": link,
            "visits": link.visits.count(),
            "link_leads": link.leads.count(),
            "active_nav": "share",
        },
    )


def _qr(url: str):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


@role_required(*REFERRERS)
def referral_qr(request, fmt: str):
    if fmt not in {"svg", "png"}:
        raise Http404
    link = referral_link_for(user=request.user)
    qr = _qr(referral_share_links(link=link)["url"])
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
        content_type = "image/svg+xml"
    else:
        qr.make_image().save(buffer, format="PNG")
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="vouch-referral-{link.code}.{fmt}"'
    return response


# --- Referral link: the prospect's side (public) ----------------------------------------


@role_required(*REFERRERS)
def referral_card(request):
    """A printable referral card: the link's QR code, the address and the program's look
    (print it from the browser; the page's print style keeps only the cards)."""
    link = referral_link_for(user=request.user)
    return render(
        request,
        "leads/referral_card.html",
        {
            **referral_share_links(link=link),
            "landing": referral_landing(link=link),
            "link": link,
            "active_nav": "share",
        },
    )


def _prospect_language(request) -> str:
    """The landing speaks the prospect's language: ``?lang=fi`` when they picked one
    (returned, to carry on to the next page), otherwise what the browser asked for
    (LocaleMiddleware)."""
    code = request.GET.get("lang", "")
    if code not in dict(settings.LANGUAGES):
        return ""
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


def referral_brand_css(request, code: str):
    """The landing's brand colours as a stylesheet (the page's strict CSP allows no inline
    style). The default colours when the program has none."""
    link = referral_link_by_code(code=code)
    landing = referral_landing(link=link) if link else None
    colour = landing["program"].brand_colour if landing else ""
    css = ""
    if colour:
        p = brand_palette(colour=colour)
        css = (
            f"body.prospect {{ --brand: {p['brand']}; --brand-dark: {p['brand_dark']}; "
            f"--brand-ink: {p['ink']}; }}\n"
        )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _rate_limited(request, hit):
    response = render(request, "leads/referral_rate_limited.html", status=429)
    response["Retry-After"] = str(hit.retry_after)
    return response


def referral_page(request, code: str):
    lang = _prospect_language(request)
    thanks = reverse("referral_thanks", args=[code]) + (f"?lang={lang}" if lang else "")
    link = referral_link_by_code(code=code)
    if link is None:
        return render(request, "leads/referral_unknown.html", status=404)
    if request.method == "POST":
        # Per link from this client address, then per link in all (README "Rate limits").
        ip = client_ip(request)
        for key, rate in (
            (f"referral:{link.pk}:ip:{ip}", settings.REFERRAL_FORM_RATE),
            (f"referral:{link.pk}", settings.REFERRAL_FORM_LINK_RATE),
        ):
            hit = rate_limit_hit(key=key, rate=Rate.parse(rate))
            if not hit.allowed:
                return _rate_limited(request, hit)
    landing = referral_landing(link=link)
    if landing is None:
        return render(request, "leads/referral_unknown.html", status=404)
    programs, first = landing["programs"], landing["program"]
    form = ReferralPageForm(
        request.POST or None,
        programs=programs,
        consent_text=first.consent_text,
        initial={"program": first},
    )
    if request.method == "GET":
        referral_link_record_visit(
            link=link, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        request.session.setdefault(f"referral_seen:{link.pk}", int(time.time()))
    elif form.is_valid():
        if form.cleaned_data.get("website"):
            # A bot filled the hidden field: answer as if all went well, save nothing.
            return redirect(thanks)
        # Where it came from, as keyed hashes: it travels in the lead's event (fraud review
        # keeps it for its detectors).
        seen = request.session.get(f"referral_seen:{link.pk}")
        client_print = {
            **client_fingerprint(request),
            "seconds_after_visit": int(time.time()) - seen if isinstance(seen, int) else None,
        }
        try:
            services.lead_submit(
                referrer=link.user,
                program=form.cleaned_data["program"],
                data=form.cleaned_data,
                source=LeadSource.LINK,
                referral_link=link,
                client_print=client_print,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            request.session.pop(f"referral_seen:{link.pk}", None)
            return redirect(thanks)
    return render(
        request,
        "leads/referral_page.html",
        {
            "link": link,
            "referrer": link.user,
            "programs": programs,
            "program": first,
            "landing": landing,
            "form": form,
        },
    )


def referral_thanks(request, code: str):
    _prospect_language(request)
    link = referral_link_by_code(code=code)
    if link is None:
        return render(request, "leads/referral_unknown.html", status=404)
    return render(
        request,
        "leads/referral_thanks.html",
        {"referrer": link.user, "link": link, "landing": referral_landing(link=link)},
    )
