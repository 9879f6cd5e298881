# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewers' reward screens in the Wagtail admin: the redemption queue and raffle draws."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.leads.admin_views import reviewer_required

from .models import Raffle, Redemption, RedemptionStatus
from .raffles import raffle_draw
from .redemptions import redemption_transition


@reviewer_required
def redemption_queue(request):
    status = request.GET.get("status", "open")
    qs = Redemption.objects.select_related(
        "item", "participant", "participant__partner_organisation"
    )
    if status == "open":
        qs = qs.filter(status__in=[RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED])
    elif status in RedemptionStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "rewards/admin/redemptions.html",
        {
            "redemptions": qs.order_by("created_at")[:200],
            "status": status,
            "statuses": RedemptionStatus.choices,
        },
    )


@reviewer_required
@require_POST
def redemption_act(request, pk: int):
    redemption = get_object_or_404(Redemption, pk=pk)
    try:
        redemption_transition(
            redemption=redemption,
            actor=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied, KeyError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Unknown action.")])))
    else:
        messages.success(request, _("Redemption updated."))
    return redirect("rewards_admin:redemptions")


@reviewer_required
@require_POST
def raffle_draw_view(request, pk: int):
    raffle = get_object_or_404(Raffle, pk=pk)
    try:
        winners = raffle_draw(raffle=raffle, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("Drawn: %(n)s winner.", "Drawn: %(n)s winners.", len(winners))
            % {"n": len(winners)},
        )
    return redirect("rewards:raffle", pk=raffle.pk)
