# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.core.confirm import confirmation_needed

from .evidence import evidence_lines
from .models import CaseStatus
from .selectors import fraud_cases_visible_to


@role_required(Role.REVIEWER)
def queue(request):
    cases = fraud_cases_visible_to(user=request.user)
    show = request.GET.get("status", CaseStatus.OPEN)
    if show not in CaseStatus.values:
        show = CaseStatus.OPEN
    shown = list(cases.filter(status=show)[:100])
    for case in shown:
        case.lines = evidence_lines(case=case)
    return render(
        request,
        "fraud/queue.html",
        {
            "cases": shown,
            "show": show,
            "statuses": CaseStatus.choices,
            "open_count": cases.filter(status=CaseStatus.OPEN).count(),
            "active_nav": "review",
        },
    )


@role_required(Role.REVIEWER)
def case_detail(request, pk: int):
    case = get_object_or_404(fraud_cases_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "fraud/case.html",
        {
            "case": case,
            "lines": evidence_lines(case=case),
            "leads": case.leads.select_related("referrer", "program").order_by("pk"),
            "active_nav": "review",
        },
    )


@role_required(Role.REVIEWER)
@require_POST
def case_decide(request, pk: int):
    from .services import fraud_case_decide

    case = get_object_or_404(fraud_cases_visible_to(user=request.user), pk=pk)
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    if decision == "confirm":
        ask = confirmation_needed(
            request=request,
            title=_("Confirm fraud case #%(id)s?") % {"id": case.pk},
            consequences=[
                _("Its leads are rejected (a won deal is reversed)."),
                _("Their points are taken back and their commissions cancelled or clawed back."),
            ],
            confirm_label=_("Confirm as fraud"),
            cancel_url=reverse("fraud:case", args=[case.pk]),
            danger=True,
        )
        if ask:
            return ask
    try:
        fraud_case_decide(actor=request.user, case=case, decision=decision, note=note)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        )
        return redirect("fraud:case", pk=case.pk)
    messages.success(
        request,
        _("Case cleared: its points and commissions are released.")
        if decision == "clear"
        else _("Case confirmed: its leads are reversed."),
    )
    return redirect("fraud:queue")
