# SPDX-License-Identifier: AGPL-3.0-or-later
"""The reviewers' lead screens inside the Wagtail admin (one admin site for staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.accounts.decorators import admin_role_required
from portal.accounts.roles import Role
from portal.core.redirects import redirect_next

from . import retention, services
from .bulk import leads_bulk
from .forms import ErasePersonForm, ImportForm, LostForm, QueueFilterForm, RejectForm, WonForm
from .imports import ImportRow, import_error_report, lead_import, lead_import_preview
from .models import Lead, LeadStatus
from .selectors import lead_timeline, review_queue

IMPORT_SESSION_KEY = "leads_import_csv"
IMPORT_FAILED_SESSION_KEY = "leads_import_failed"
MAX_IMPORT_BYTES = 2 * 1024 * 1024


reviewer_required = admin_role_required(Role.REVIEWER, "leads/admin/forbidden.html")


def _error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@reviewer_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    leads = review_queue(
        program=program.pk if (program := filters.get("program")) else None,
        status=filters.get("status", ""),
        conflict=filters.get("conflict", ""),
        older_than=filters.get("older_than", ""),
    )
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/admin/queue.html",
        {
            "filter_form": form,
            "page": page,
            "reject_form": RejectForm(),
            "query": request.GET.urlencode(),
        },
    )


@reviewer_required
@require_POST
def bulk(request):
    action = request.POST.get("action")
    ids = [int(i) for i in request.POST.getlist("lead") if i.isdigit()]
    leads = list(Lead.objects.filter(pk__in=ids).order_by("pk"))
    if not leads:
        messages.error(request, _("Select at least one lead."))
        return redirect("leads_admin:queue")
    if action == "qualify":
        result = leads_bulk(actor=request.user, leads=leads, action="qualify")
    elif action == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a reason for the rejection."))
            return redirect("leads_admin:queue")
        result = leads_bulk(
            actor=request.user,
            leads=leads,
            action="reject",
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    else:
        messages.error(request, _("Unknown action."))
        return redirect("leads_admin:queue")
    if result.done:
        messages.success(
            request,
            ngettext("%(n)d lead updated.", "%(n)d leads updated.", len(result.done))
            % {"n": len(result.done)},
        )
    for lead, message in result.failed:
        messages.error(
            request, _("Lead #%(id)s: %(message)s") % {"id": lead.pk, "message": message}
        )
    return redirect_next(request=request, fallback="leads_admin:queue")


@reviewer_required
def detail(request, pk: int):
    lead = get_object_or_404(
        Lead.objects.select_related("program", "referrer", "organisation", "conflict_with"), pk=pk
    )
    rivals = list(lead.conflicts.select_related("referrer")) + (
        [lead.conflict_with] if lead.conflict_with else []
    )
    return render(
        request,
        "leads/admin/detail.html",
        {
            "lead": lead,
            "timeline": lead_timeline(lead=lead),
            "rivals": rivals,
            "reject_form": RejectForm(),
            "won_form": WonForm(),
            "lost_form": LostForm(),
            "own_lead": lead.referrer_id == request.user.pk,
            "S": LeadStatus,
        },
    )


@reviewer_required
@require_POST
def act(request, pk: int):
    lead = get_object_or_404(Lead, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "start_review":
            services.lead_start_review(lead=lead, actor=request.user)
        elif action == "qualify":
            services.lead_qualify(lead=lead, actor=request.user, note=request.POST.get("note", ""))
        elif action == "reject":
            services.lead_reject(
                lead=lead,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
        elif action == "win":
            services.lead_mark_won(
                lead=lead,
                actor=request.user,
                deal_value=request.POST.get("deal_value", ""),
                currency=request.POST.get("currency", ""),
                note=request.POST.get("note", ""),
            )
        elif action == "lose":
            services.lead_mark_lost(
                lead=lead, actor=request.user, reason=request.POST.get("reason", "")
            )
        elif action == "reverse":
            services.lead_reverse_deal(
                lead=lead, actor=request.user, reason=request.POST.get("reason", "")
            )
        elif action == "keep":
            other = get_object_or_404(Lead, pk=request.POST.get("other"))
            services.lead_conflict_resolve(
                actor=request.user, keep=lead, reject=other, note=request.POST.get("note", "")
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Lead #%(id)s updated.") % {"id": lead.pk})
    return redirect("leads_admin:detail", pk=lead.pk)


@reviewer_required
def import_leads(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST" and request.POST.get("confirm"):
        csv_text = request.session.pop(IMPORT_SESSION_KEY, None)
        if not csv_text:
            messages.error(request, _("The preview expired; upload the file again."))
            return redirect("leads_admin:import")
        try:
            result = lead_import(actor=request.user, csv_text=csv_text)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("leads_admin:import")
        request.session[IMPORT_FAILED_SESSION_KEY] = [
            {"number": r.number, "data": r.data, "errors": [str(e) for e in r.errors]}
            for r in result.failed
        ]
        return render(request, "leads/admin/import_done.html", {"result": result})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 2 MB; split it."))
        else:
            try:
                csv_text = upload.read().decode("utf-8-sig")
                rows = lead_import_preview(actor=request.user, csv_text=csv_text)
            except UnicodeDecodeError:
                form.add_error("file", _("Save the file as UTF-8 CSV."))
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                request.session[IMPORT_SESSION_KEY] = csv_text
    return render(
        request,
        "leads/admin/import.html",
        {
            "form": form,
            "rows": rows,
            "valid_count": sum(1 for r in rows or [] if r.ok),
            "invalid_count": sum(1 for r in rows or [] if not r.ok),
        },
    )


@reviewer_required
def erase_person(request):
    """A person asks to be forgotten: their contact details leave every lead about them
    (counts and money records stay)."""
    form = ErasePersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = retention.person_erase(
                actor=request.user,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Contact details erased from %(n)s lead.",
                    "Contact details erased from %(n)s leads.",
                    count,
                )
                % {"n": count},
            )
            return redirect("leads_admin:erase")
    return render(request, "leads/admin/erase.html", {"form": form})


def import_errors(request):
    """The rows the reviewer's last import refused, as a CSV file to fix and upload again."""
    failed = [ImportRow(**r) for r in request.session.get(IMPORT_FAILED_SESSION_KEY, [])]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    import_error_report(failed=failed, out=response)
    return response
