# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import REWARD_HOLDERS, Role
from portal.accounts.selectors import has_role
from portal.core.confirm import confirmation_needed
from portal.core.csv import csv_writer
from portal.core.forms import add_service_errors

from . import goals as goals_
from . import redemptions as redeeming
from . import selectors
from .forms import GoalForm, TeamGoalForm
from .models import INSTANT_KINDS, PersonalGoal, RaffleEntry
from .raffles import raffle_ticket_buy
from .selectors import catalog_for, raffles_visible_to, redemptions_visible_to

PARTICIPANTS = (Role.EMPLOYEE, Role.PARTNER_USER)  # points home, raffles, goals


def _error(request, exc: Exception) -> None:
    messages.error(
        request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    )


@role_required(*PARTICIPANTS)
def home(request):
    summary = selectors.participant_summary(participant=request.user)
    return render(request, "rewards/home.html", {**summary, "active_nav": "rewards"})


@role_required(*REWARD_HOLDERS)
def catalog(request):
    programs = selectors.catalog_programs(user=request.user)
    slug = request.GET.get("program", "")
    program = programs.filter(slug=slug).first() if slug else None
    items = selectors.catalog_with_eligibility(
        participant=request.user, items=catalog_for(user=request.user, program=program)
    )
    return render(
        request,
        "rewards/catalog.html",
        {
            "items": items,
            "programs": programs,
            "program": program,
            "balance": selectors.balance_of(participant=request.user),
            "active_nav": "rewards",
        },
    )


@role_required(*REWARD_HOLDERS)
@require_POST
def redeem(request, pk: int):
    item = get_object_or_404(catalog_for(user=request.user), pk=pk)
    balance = selectors.balance_of(participant=request.user)
    ask = confirmation_needed(
        request=request,
        title=_("Redeem %(item)s?") % {"item": item.name},
        consequences=[
            _("Price: %(price)s. Your points to spend: %(before)s → %(after)s.")
            % {"price": item.points_price, "before": balance, "after": balance - item.points_price},
            _("You get it at once; it cannot be cancelled.")
            if item.kind in INSTANT_KINDS
            else _("The request goes to a reviewer; you can cancel it while it waits."),
        ],
        confirm_label=_("Confirm and redeem"),
        cancel_url=reverse("rewards:catalog"),
    )
    if ask:
        return ask
    try:
        redeeming.redemption_request(participant=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
        return redirect("rewards:catalog")
    messages.success(
        request,
        _("Requested: %(item)s. We will let you know when it is on its way.") % {"item": item.name},
    )
    return redirect("rewards:redemptions")


@role_required(*REWARD_HOLDERS, Role.REVIEWER)
def redemptions(request):
    own = (
        redemptions_visible_to(user=request.user)
        .filter(participant=request.user)
        .select_related("reward_code", "raffle_entry__raffle")
    )
    return render(
        request,
        "rewards/redemptions.html",
        {
            "redemptions": own,
            "codes": selectors.reward_codes_of(participant=request.user),
            "now": timezone.now(),
            "active_nav": "rewards",
        },
    )


@role_required(Role.FINANCE)
def vouchers(request):
    rows = selectors.vouchers_to_issue(user=request.user)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vouchers.csv"'
        writer = csv_writer(response)
        writer.writerow(
            [
                "redemption",
                "fulfilled",
                "participant",
                "organisation",
                "reward",
                "value",
                "currency",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r.pk,
                    timezone.localtime(r.updated_at).date().isoformat(),
                    r.participant.email,
                    r.participant.partner_organisation.name
                    if r.participant.partner_organisation
                    else "",
                    r.item.name,
                    "" if r.item.face_value is None else f"{r.item.face_value:.2f}",
                    r.item.value_currency,
                ]
            )
        return response
    return render(request, "rewards/vouchers.html", {"rows": rows, "active_nav": "rewards"})


@role_required(*REWARD_HOLDERS)
@require_POST
def redemption_cancel(request, pk: int):
    redemption = get_object_or_404(redemptions_visible_to(user=request.user), pk=pk)
    try:
        redeeming.redemption_transition(redemption=redemption, actor=request.user, action="cancel")
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Cancelled; your points are back."))
    return redirect("rewards:redemptions")


@role_required(*PARTICIPANTS, Role.REVIEWER)
def raffle_list(request):
    return render(
        request,
        "rewards/raffles.html",
        {"raffles": raffles_visible_to(user=request.user), "active_nav": "rewards"},
    )


@role_required(*PARTICIPANTS, Role.REVIEWER)
def raffle_detail(request, pk: int):
    raffle = get_object_or_404(raffles_visible_to(user=request.user), pk=pk)
    entries = RaffleEntry.objects.filter(raffle=raffle).select_related("participant").order_by("pk")
    return render(
        request,
        "rewards/raffle_detail.html",
        {
            "raffle": raffle,
            "entries": entries,
            "winners": [e for e in entries if e.is_winner],
            "my_entries": sum(1 for e in entries if e.participant_id == request.user.pk),
            "active_nav": "rewards",
        },
    )


@role_required(*PARTICIPANTS)
@require_POST
def raffle_buy(request, pk: int):
    raffle = get_object_or_404(raffles_visible_to(user=request.user), pk=pk)
    try:
        raffle_ticket_buy(participant=request.user, raffle=raffle)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("You have a ticket. Good luck!"))
    return redirect("rewards:raffle", pk=raffle.pk)


# --- Personal goals -------------------------------------------------------------------


@role_required(*PARTICIPANTS, Role.MANAGER)
def goals(request):
    is_participant = has_role(user=request.user, roles=PARTICIPANTS)
    members = goals_.team_goal_members(manager=request.user)
    form = GoalForm(
        request.POST if request.method == "POST" and "participant" not in request.POST else None
    )
    team_form = TeamGoalForm(
        request.POST if request.method == "POST" and "participant" in request.POST else None,
        members=members,
    )
    for bound in (form, team_form):
        if bound.is_bound and bound.is_valid():
            data = bound.cleaned_data
            who = (
                next((m for m in members if m.pk == data["participant"]), None)
                if "participant" in data
                else request.user
            )
            if who is None:
                raise PermissionDenied
            try:
                goals_.goal_set(
                    actor=request.user,
                    participant=who,
                    metric=data["metric"],
                    period=data["period"],
                    target=data["target"],
                )
            except ValidationError as exc:
                add_service_errors(bound, exc)
            except PermissionDenied as exc:
                bound.add_error(None, str(exc))
            else:
                messages.success(request, _("Goal saved."))
                return redirect("rewards:goals")
    team = [{"member": m, "goals": goals_.goals_progress(participant=m)} for m in members]
    return render(
        request,
        "rewards/goals.html",
        {
            "progress": goals_.goals_progress(participant=request.user) if is_participant else [],
            "is_participant": is_participant,
            "form": form,
            "team_form": team_form if members else None,
            "team": team,
            "active_nav": "rewards",
        },
    )


@role_required(*PARTICIPANTS, Role.MANAGER)
@require_POST
def goal_delete(request, pk: int):
    goal = get_object_or_404(PersonalGoal.objects.select_related("participant"), pk=pk)
    if not goals_.goal_may_set(actor=request.user, participant=goal.participant):
        raise Http404
    goals_.goal_delete(actor=request.user, goal=goal)
    messages.success(request, _("Goal removed."))
    return redirect("rewards:goals")
