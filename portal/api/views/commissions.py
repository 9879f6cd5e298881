# SPDX-License-Identifier: AGPL-3.0-or-later
"""Commissions and monthly statements, through the payouts selectors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.core.dates import month_in_range
from portal.payouts.selectors import commission_summary, commissions_visible_to, statement_for

from ..errors import errors
from ..serializers import (
    CommissionFilterSerializer,
    CommissionSerializer,
    StatementQuerySerializer,
    StatementSerializer,
    SummaryRowSerializer,
)
from .base import ApiPagination, api_user, query_params, require_role


class CommissionsView(ListAPIView):
    serializer_class = CommissionSerializer
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="commissions_list",
        summary="Commissions visible to you",
        description="Finance sees every commission; a partner admin their organisation's; an "
        "employee their own bonuses. Partner users see only their organisation's totals "
        "(`/commissions/summary/`), so this list refuses them (403).",
        parameters=[CommissionFilterSerializer],
        responses={200: CommissionSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if has_role(user=user, roles=(Role.CUSTOMER,)):
            raise exceptions.PermissionDenied(_("Customers earn points, not commissions."))
        if has_role(user=user, roles=(Role.PARTNER_USER,)) and not has_role(
            user=user, roles=(Role.PARTNER_ADMIN,)
        ):
            raise exceptions.PermissionDenied(
                _("Partner users see their organisation's totals; the partner admin sees the list.")
            )
        filters = query_params(CommissionFilterSerializer, request)
        commissions = commissions_visible_to(user=user)
        if "status" in filters:
            commissions = commissions.filter(status=filters["status"])
        page = self.paginate_queryset(commissions.order_by("-created_at", "-pk"))
        return self.get_paginated_response(
            CommissionSerializer(page, many=True, context={"viewer": request.user}).data
        )


class CommissionSummaryView(APIView):
    @extend_schema(
        operation_id="commissions_summary",
        summary="Your partner organisation's commission totals per status and currency",
        responses={200: SummaryRowSerializer(many=True), **errors()},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        require_role(user, Role.PARTNER_USER, message=_("Only partners have this summary."))
        assert user.partner_organisation_id is not None  # partner users have one
        totals = commission_summary(organisation_id=user.partner_organisation_id)
        rows = [{"status": s, "currency": c, "total": t} for (s, c), t in sorted(totals.items())]
        return Response(SummaryRowSerializer(rows, many=True).data)


class StatementView(APIView):
    @extend_schema(
        operation_id="statements_retrieve",
        summary="Your partner organisation's statement for one month",
        description="Partner admins only: opening balance, earned, clawed back, paid, closing "
        "balance and the month's commissions, in one currency.",
        parameters=[
            OpenApiParameter("year", int, OpenApiParameter.PATH),
            OpenApiParameter("month", int, OpenApiParameter.PATH, description="1 to 12."),
            StatementQuerySerializer,
        ],
        responses={200: StatementSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, year: int, month: int) -> Response:
        user = api_user(request)
        require_role(user, Role.PARTNER_ADMIN, message=_("Statements are for partner admins."))
        first = month_in_range(year, month)
        if first is None:
            raise exceptions.NotFound()
        currency = query_params(StatementQuerySerializer, request)["currency"]
        assert user.partner_organisation is not None  # partner admins have one
        statement = statement_for(
            organisation=user.partner_organisation,
            month=first,
            currency=currency,
        )
        return Response(StatementSerializer(statement).data)
