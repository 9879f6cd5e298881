# SPDX-License-Identifier: AGPL-3.0-or-later
"""One dashboard per role. Each gathers what its role needs from the domain selectors;
later domain work (leads, points, commissions, boards) adds its panels here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from leaderboard.ranking import Board
from portal.accounts.decorators import role_required
from portal.accounts.forms import InvitationForm
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import (
    dashboard_url_for,
    invitations_visible_to,
    organisation_members,
    organisations_visible_to,
    roles_of,
    teams_managed_by,
)
from portal.leads.permissions import lead_submission_permission
from portal.leads.selectors import (
    leads_visible_to,
    programs_open_to,
    review_queue,
    stale_leads,
)

from .selectors import referrer_figures


@login_required
def dashboard(request):
    return redirect(dashboard_url_for(user=request.user))


def _referrer_context(user) -> dict:
    return {
        **referrer_figures(user=user),
        "submit": lead_submission_permission(user=user),
        "programs": programs_open_to(user=user),
    }


@role_required(Role.EMPLOYEE)
def employee(request):
    return render(
        request,
        "dashboards/employee.html",
        {**_referrer_context(request.user), "active_nav": "employee"},
    )


@role_required(Role.PARTNER_USER)
def partner(request):
    context = _referrer_context(request.user)
    if Role.PARTNER_ADMIN in roles_of(user=request.user):
        context["org_leads"] = leads_visible_to(user=request.user).exclude(referrer=request.user)[
            :5
        ]
    return render(
        request,
        "dashboards/partner.html",
        {**context, "organisation": request.user.partner_organisation, "active_nav": "partner"},
    )


@role_required(Role.PARTNER_ADMIN)
def organisation(request):
    return render(
        request,
        "dashboards/organisation.html",
        {
            "organisation": request.user.partner_organisation,
            "members": organisation_members(user=request.user),
            "invitations": invitations_visible_to(user=request.user).filter(
                accepted_at__isnull=True
            ),
            "invite_form": InvitationForm(),
            "active_nav": "organisation",
        },
    )


@role_required(Role.MANAGER)
def team(request):
    teams = [
        (team, Board(f"team:{team.pk}", "points", "month").id)
        for team in teams_managed_by(user=request.user).prefetch_related("members")
    ]
    return render(request, "dashboards/team.html", {"teams": teams, "active_nav": "team"})


@role_required(Role.REVIEWER)
def review(request):
    organisations = organisations_visible_to(user=request.user)
    stats = organisations.aggregate(
        total=Count("pk"), suspended=Count("pk", filter=Q(status="suspended"))
    )
    pending = invitations_visible_to(user=request.user).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )[:10]
    queue = review_queue()
    lead_stats = {
        "open": queue.count(),
        "conflicts": review_queue(conflict="yes").count(),
        "stale": stale_leads().count(),
    }
    return render(
        request,
        "dashboards/review.html",
        {
            "stats": stats,
            "lead_stats": lead_stats,
            "oldest": queue[:8],
            "pending_invitations": pending,
            "active_nav": "review",
        },
    )


@role_required(Role.FINANCE)
def finance(request):
    partners = organisations_visible_to(user=request.user).annotate(
        member_count=Count("users", filter=Q(users__is_active=True))
    )
    payees = User.objects.filter(partner_organisation__isnull=False, is_active=True).count()
    return render(
        request,
        "dashboards/finance.html",
        {"partners": partners, "payee_count": payees, "active_nav": "finance"},
    )
