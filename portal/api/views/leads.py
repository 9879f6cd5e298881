# SPDX-License-Identifier: AGPL-3.0-or-later
"""Leads: submit, list, read with the timeline, and the status actions.

The permission flow is the web's: the same role gates as the pages, then the lead
selectors (what is visible, whose contact data) and the lead services (rules, conflicts,
transitions). Nothing here decides a business rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.leads import services
from portal.leads.models import Lead, LeadSource
from portal.leads.permissions import lead_submission_permission
from portal.leads.selectors import lead_timeline, leads_visible_to, programs_open_to

from ..errors import errors
from ..serializers import (
    LeadCreateSerializer,
    LeadDetailSerializer,
    LeadFilterSerializer,
    LeadSerializer,
    NoteSerializer,
    ProgramSerializer,
    ReasonSerializer,
    RejectSerializer,
    WinSerializer,
)
from .base import (
    REFERRERS,
    ApiPagination,
    api_user,
    body,
    object_or_404,
    query_params,
    require_role,
)

READERS = (*REFERRERS, Role.MANAGER, Role.REVIEWER)  # as the web's lead list and detail
LEAD_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The lead's id.")


def _detail(request: Request, lead: Lead) -> dict[str, Any]:
    context = {
        "viewer": request.user,
        "timeline": lead_timeline(lead=lead),
        "show_actor": has_role(user=request.user, roles=(Role.REVIEWER,)),
    }
    return LeadDetailSerializer(lead, context=context).data


def _check_may_submit(user: User) -> None:
    require_role(user, *REFERRERS, message=_("Only employees and partners submit leads."))
    permission = lead_submission_permission(user=user)
    if not permission.allowed:
        raise exceptions.PermissionDenied(str(permission.reason))


class ProgramsView(APIView):
    @extend_schema(
        operation_id="programs_list",
        summary="Programs you can submit leads to today",
        responses={200: ProgramSerializer(many=True), **errors()},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        _check_may_submit(user)
        programs = programs_open_to(user=user).order_by("name")
        return Response(ProgramSerializer(programs, many=True).data)


class LeadsView(ListAPIView):
    serializer_class = LeadSerializer
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="leads_list",
        summary="Leads visible to you",
        description="Reviewers see every lead; partner admins their organisation's; managers "
        "their teams'; everyone else their own. `contact` is null where you may not see it.",
        parameters=[LeadFilterSerializer],
        responses={200: LeadSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        require_role(request.user, *READERS)
        filters = query_params(LeadFilterSerializer, request)
        leads = leads_visible_to(user=request.user)
        if "status" in filters:
            leads = leads.filter(status=filters["status"])
        if "program" in filters:
            leads = leads.filter(program_id=filters["program"])
        if "submitted_after" in filters:
            leads = leads.filter(submitted_at__gte=filters["submitted_after"])
        if "submitted_before" in filters:
            leads = leads.filter(submitted_at__lt=filters["submitted_before"])
        page = self.paginate_queryset(leads.order_by("-submitted_at", "-pk"))
        data = LeadSerializer(page, many=True, context={"viewer": request.user}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="leads_create",
        summary="Submit a lead",
        description="Runs the program's quality rules and attribution exactly as the portal "
        "form does: a lead that a rule rejects is still created, with `status` `rejected` "
        "and the reason in `status_note`; a flagged one carries `flags`.",
        request=LeadCreateSerializer,
        responses={201: LeadDetailSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        _check_may_submit(user)
        data = body(LeadCreateSerializer, request)
        ref = data["program"].strip()
        match = Q(slug=ref)
        if ref.isascii() and ref.isdecimal() and len(ref) < 19:  # not int('²')
            match |= Q(pk=int(ref))
        program = programs_open_to(user=user).filter(match).first()
        if program is None:
            raise ValidationError(
                {"program": [_("No program with this id or slug is open to you.")]}
            )
        lead = services.lead_submit(
            referrer=user, program=program, data=data, source=LeadSource.API
        )
        location = reverse("api:lead", args=[lead.pk])
        return Response(
            _detail(request, lead), status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class LeadDetailView(APIView):
    @extend_schema(
        operation_id="leads_retrieve",
        summary="One lead with its timeline",
        parameters=[LEAD_ID],
        responses={200: LeadDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        require_role(request.user, *READERS)
        lead = object_or_404(leads_visible_to(user=request.user), pk)
        return Response(_detail(request, lead))


class _LeadAction(APIView):
    """POST /leads/{id}/<action>/: look the lead up among those visible, call the service."""

    roles: tuple[Role, ...] = (Role.REVIEWER,)
    input_serializer: type[BaseSerializer] | None = None

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        require_role(user, *self.roles)
        lead = object_or_404(leads_visible_to(user=user), pk)
        data = body(self.input_serializer, request) if self.input_serializer else {}
        self.act(lead, user, data)
        lead.refresh_from_db()
        return Response(_detail(request, lead))


def _action_schema(
    name: str, summary: str, serializer: type[BaseSerializer] | None, description: str = ""
) -> Any:
    return extend_schema(
        operation_id=f"leads_{name}",
        summary=summary,
        description=description,
        parameters=[LEAD_ID],
        request=serializer,
        # No body, no 400: start-review reads none.
        responses={200: LeadDetailSerializer, **errors(*([400] if serializer else []), 404, 409)},
    )


REVIEWERS_ONLY = "Reviewers only, never on a lead they submitted themselves."


class LeadStartReview(_LeadAction):
    @_action_schema("start_review", "Start reviewing (submitted → in review)", None, REVIEWERS_ONLY)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_start_review(lead=lead, actor=actor)


class LeadQualify(_LeadAction):
    input_serializer = NoteSerializer

    @_action_schema(
        "qualify", "Qualify (submitted or in review → qualified)", NoteSerializer, REVIEWERS_ONLY
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_qualify(lead=lead, actor=actor, note=data["note"])


class LeadReject(_LeadAction):
    input_serializer = RejectSerializer

    @_action_schema("reject", "Reject with a reason", RejectSerializer, REVIEWERS_ONLY)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_reject(lead=lead, actor=actor, reason=data["reason"], note=data["note"])


class LeadWin(_LeadAction):
    input_serializer = WinSerializer

    @_action_schema(
        "win", "Mark won with the deal value (qualified → won)", WinSerializer, REVIEWERS_ONLY
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_mark_won(
            lead=lead,
            actor=actor,
            deal_value=data["deal_value"],
            currency=data["currency"],
            note=data["note"],
        )


class LeadLose(_LeadAction):
    input_serializer = ReasonSerializer

    @_action_schema(
        "lose",
        "Mark lost with a reason (in review or qualified → lost)",
        ReasonSerializer,
        REVIEWERS_ONLY,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_mark_lost(lead=lead, actor=actor, reason=data["reason"])


class LeadReverse(_LeadAction):
    input_serializer = ReasonSerializer

    @_action_schema(
        "reverse",
        "Reverse a won deal (refund, chargeback)",
        ReasonSerializer,
        "Reviewers only. The lead stays won, marked reversed; its commissions get clawbacks "
        "and its won points a reversal.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_reverse_deal(lead=lead, actor=actor, reason=data["reason"])


class LeadWithdraw(_LeadAction):
    roles = REFERRERS
    input_serializer = NoteSerializer

    @_action_schema(
        "withdraw",
        "Withdraw your own lead before review",
        NoteSerializer,
        "Only the submitter, while the lead is submitted.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, lead: Lead, actor: User, data: dict[str, Any]) -> None:
        services.lead_withdraw(lead=lead, actor=actor, note=data["note"])
