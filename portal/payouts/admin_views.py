# SPDX-License-Identifier: AGPL-3.0-or-later
"""Finance screens in the Wagtail admin: commissions, holds, batches and payee ledgers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import admin_role_required
from portal.accounts.models import PartnerOrganisation
from portal.accounts.roles import Role
from portal.core.confirm import confirmation_needed
from portal.core.money import money, money_format
from portal.core.redirects import redirect_next

from . import batches, selectors, services
from .forms import BatchForm, HoldForm
from .models import BatchStatus, Commission, CommissionStatus, PayeeHold
from .selectors import batches_visible_to, commissions_visible_to

finance_required = admin_role_required(Role.FINANCE, "payouts/admin/forbidden.html")


def _error(request, exc) -> None:
    messages.error(
        request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    )


@finance_required
def commission_list(request):
    status = request.GET.get("status", "pending")
    qs = commissions_visible_to(user=request.user)
    if status == "held":
        qs = qs.filter(on_hold=True)
    elif status in CommissionStatus.values:
        qs = qs.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(payee_org__name__icontains=query) | Q(payee_user__email__icontains=query))
    page = Paginator(qs.order_by("hold_until", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payouts/admin/commissions.html",
        {
            "page": page,
            "status": status,
            "statuses": CommissionStatus.choices,
            "q": query,
        },
    )


@finance_required
@require_POST
def commission_act(request, pk: int):
    commission = get_object_or_404(commissions_visible_to(user=request.user), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "approve":
            services.commission_approve(actor=request.user, commission=commission)
        elif action in {"hold", "release"}:
            services.commission_set_hold(
                actor=request.user,
                commission=commission,
                hold=action == "hold",
                reason=request.POST.get("reason", ""),
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Commission #%(id)s updated.") % {"id": commission.pk})
    return redirect_next(request=request, fallback="payouts_admin:commissions")


@finance_required
def batch_list(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batches.payout_batch_start(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            return redirect("payouts_admin:batch", pk=batch.pk)
    ready = [
        {"currency": r["currency"], "total": money(r["total"])}
        for r in Commission.objects.filter(status=CommissionStatus.APPROVED, batch__isnull=True)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    ]
    return render(
        request,
        "payouts/admin/batches.html",
        {
            "form": form,
            "batches": batches_visible_to(user=request.user)[:100],
            "ready": ready,
        },
    )


@finance_required
def batch_detail(request, pk: int):
    batch = get_object_or_404(batches_visible_to(user=request.user), pk=pk)
    lines = batch.lines.select_related("payee_org", "payee_user").order_by("-total")[:500]
    return render(
        request,
        "payouts/admin/batch.html",
        {
            "batch": batch,
            "lines": lines,
            "S": BatchStatus,
            "can_approve": batch.built_by_id != request.user.pk,
        },
    )


@finance_required
@require_POST
def batch_act(request, pk: int):
    batch = get_object_or_404(batches_visible_to(user=request.user), pk=pk)
    action = request.POST.get("action")
    amount = money_format(batch.total, batch.currency)
    questions = {
        "approve": (
            _("Approve batch %(ref)s?") % {"ref": batch.reference},
            [
                _("Payees: %(count)s · total: %(amount)s")
                % {"count": batch.payee_count, "amount": amount},
                _("The payment file is created for download; the batch can no longer change."),
            ],
            _("Approve and export"),
        ),
        "paid": (
            _("Mark batch %(ref)s paid?") % {"ref": batch.reference},
            [
                _("Confirm only once the bank has sent %(amount)s to the payees.")
                % {"amount": amount},
                _("Every commission in it becomes paid; this cannot be undone."),
            ],
            _("Mark paid"),
        ),
    }
    if action in questions:
        title, consequences, label = questions[action]
        ask = confirmation_needed(
            request=request,
            title=title,
            consequences=consequences,
            confirm_label=label,
            cancel_url=reverse("payouts_admin:batch", args=[batch.pk]),
            admin=True,
        )
        if ask:
            return ask
    try:
        if action == "approve":
            batches.payout_batch_approve(actor=request.user, batch=batch)
        elif action == "paid":
            batches.payout_batch_mark_paid(actor=request.user, batch=batch)
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Batch %(ref)s updated.") % {"ref": batch.reference})
    return redirect("payouts_admin:batch", pk=batch.pk)


@finance_required
def batch_file(request, pk: int):
    batch = get_object_or_404(batches_visible_to(user=request.user), pk=pk)
    if not batch.export:
        raise Http404
    return FileResponse(
        batch.export.open("rb"), as_attachment=True, filename=f"payout-{batch.reference}.csv"
    )


@finance_required
def payee(request, pk: int):
    org = get_object_or_404(PartnerOrganisation, pk=pk)
    commissions = (
        commissions_visible_to(user=request.user).filter(payee_org=org).order_by("-created_at")
    )
    if request.method == "POST":
        form = HoldForm(request.POST)
        try:
            if request.POST.get("action") == "release":
                batches.payee_hold_release(actor=request.user, organisation=org)
            elif form.is_valid():
                batches.payee_hold_set(
                    actor=request.user, organisation=org, reason=form.cleaned_data["reason"]
                )
            else:
                raise ValidationError(_("Say why payouts are held."))
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        return redirect("payouts_admin:payee", pk=org.pk)
    totals = [
        {"label": CommissionStatus(row["status"]).label, "total": money(row["total"])}
        for row in commissions.values("status").annotate(total=Sum("amount")).order_by("status")
    ]
    return render(
        request,
        "payouts/admin/payee.html",
        {
            "org": org,
            "page": Paginator(commissions, 50).get_page(request.GET.get("page")),
            "totals": totals,
            "hold": PayeeHold.objects.filter(organisation=org).first(),
            "hold_form": HoldForm(),
            "masked_iban": selectors.mask(value=(org.payout_details or {}).get("iban", "")),
            "account_holder": (org.payout_details or {}).get("account_holder", ""),
        },
    )
