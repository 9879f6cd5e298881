# SPDX-License-Identifier: AGPL-3.0-or-later
"""Partner side: commissions, monthly statements and payout details."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.core.dates import month_in_range, next_month
from portal.core.forms import add_service_errors

from . import exports, selectors
from .details import payout_details_update
from .forms import PayoutDetailsForm
from .models import Commission, CommissionStatus
from .selectors import commissions_visible_to


@role_required(Role.PARTNER_USER)
def commissions(request):
    org_id = request.user.partner_organisation_id
    summary = [
        {"status": s, "label": CommissionStatus(s).label, "currency": c, "total": t}
        for (s, c), t in sorted(selectors.commission_summary(organisation_id=org_id).items())
    ]
    page = None
    if request.user.is_partner_admin:
        page = Paginator(commissions_visible_to(user=request.user), 30).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "payouts/commissions.html",
        {"summary": summary, "page": page, "active_nav": "commissions"},
    )


def _months(org_id: int) -> list[date]:
    first = (
        Commission.objects.filter(payee_org_id=org_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    today = timezone.localdate()
    month = timezone.localtime(first).date().replace(day=1) if first else today.replace(day=1)
    months = []
    while month <= today:
        months.append(month)
        month = next_month(month)
    return list(reversed(months))


@role_required(Role.PARTNER_ADMIN)
def statements(request):
    return render(
        request,
        "payouts/statements.html",
        {"months": _months(request.user.partner_organisation_id), "active_nav": "commissions"},
    )


@role_required(Role.PARTNER_ADMIN)
def statement(request, year: int, month: int):
    first = month_in_range(year, month)
    if first is None:
        raise Http404
    org = request.user.partner_organisation
    result = selectors.statement_for(organisation=org, month=first)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{year}-{month:02d}.csv"'
        exports.statement_csv(statement=result, out=response)
        return response
    return render(
        request,
        "payouts/statement.html",
        {"statement": result, "organisation": org, "active_nav": "commissions"},
    )


@role_required(Role.PARTNER_ADMIN)
def payout_details(request):
    org = request.user.partner_organisation
    current = org.payout_details or {}
    form = PayoutDetailsForm(
        request.POST or None,
        initial={
            "account_holder": current.get("account_holder", ""),
            "bic": current.get("bic", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            payout_details_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Payout details saved."))
            return redirect("payouts:details")
    return render(
        request,
        "payouts/details.html",
        {
            "form": form,
            "masked_iban": selectors.mask(value=current.get("iban", "")),
            "current": current,
            "active_nav": "commissions",
        },
    )
