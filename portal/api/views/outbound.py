# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound leads: the leads the company sent to reciprocal partners. Partners list and
read those sent to them and update their status; the rules are the networks services'."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.networks import services
from portal.networks.models import OutboundLead
from portal.networks.selectors import outbound_visible_to

from ..errors import errors
from ..serializers import (
    OutboundFilterSerializer,
    OutboundSerializer,
    OutboundWinSerializer,
    ReasonSerializer,
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

OUTBOUND_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The outbound lead's id."
)
PARTNERS_ONLY = "Members of the partner the lead was sent to, while it is open."


def _data(request: Request, outbound: OutboundLead) -> dict[str, Any]:
    return OutboundSerializer(outbound, context={"viewer": request.user}).data


class OutboundListView(ListAPIView):
    serializer_class = OutboundSerializer
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="outbound_list",
        summary="Outbound leads visible to you",
        description="A partner's members see the leads sent to their organisation; "
        "employees those they sent; reviewers all. `contact` is null where you may not "
        "see it.",
        parameters=[OutboundFilterSerializer],
        responses={200: OutboundSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        require_role(request.user, *REFERRERS)
        filters = query_params(OutboundFilterSerializer, request)
        leads = outbound_visible_to(user=request.user)
        if "status" in filters:
            leads = leads.filter(status=filters["status"])
        page = self.paginate_queryset(leads.order_by("-sent_at", "-pk"))
        data = OutboundSerializer(page, many=True, context={"viewer": request.user}).data
        return self.get_paginated_response(data)


class OutboundDetailView(APIView):
    @extend_schema(
        operation_id="outbound_retrieve",
        summary="One outbound lead",
        parameters=[OUTBOUND_ID],
        responses={200: OutboundSerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        require_role(request.user, *REFERRERS)
        return Response(_data(request, object_or_404(outbound_visible_to(user=request.user), pk)))


class _OutboundAction(APIView):
    input_serializer: type[BaseSerializer] | None = None

    def act(self, outbound: OutboundLead, actor: User, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        require_role(user, Role.PARTNER_USER)
        outbound = object_or_404(outbound_visible_to(user=user), pk)
        data = body(self.input_serializer, request) if self.input_serializer else {}
        self.act(outbound, user, data)
        outbound.refresh_from_db()
        return Response(_data(request, outbound))


def _schema(name: str, summary: str, serializer: type[BaseSerializer] | None) -> Any:
    return extend_schema(
        operation_id=f"outbound_{name}",
        summary=summary,
        description=PARTNERS_ONLY,
        parameters=[OUTBOUND_ID],
        request=serializer,
        responses={200: OutboundSerializer, **errors(*([400] if serializer else []), 404, 409)},
    )


class OutboundAccept(_OutboundAction):
    @_schema("accept", "Accept (sent → accepted)", None)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, outbound: OutboundLead, actor: User, data: dict[str, Any]) -> None:
        services.outbound_accept(outbound=outbound, actor=actor)


class OutboundWin(_OutboundAction):
    input_serializer = OutboundWinSerializer

    @_schema("win", "Mark won, with the deal value", OutboundWinSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, outbound: OutboundLead, actor: User, data: dict[str, Any]) -> None:
        services.outbound_mark_won(
            outbound=outbound, actor=actor, deal_value=data["deal_value"], currency=data["currency"]
        )


class OutboundLose(_OutboundAction):
    input_serializer = ReasonSerializer

    @_schema("lose", "Mark lost, saying why", ReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, outbound: OutboundLead, actor: User, data: dict[str, Any]) -> None:
        services.outbound_mark_lost(outbound=outbound, actor=actor, reason=data["reason"])
