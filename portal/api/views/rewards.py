# SPDX-License-Identifier: AGPL-3.0-or-later
"""The reward catalog and redemptions (employees, partner users and customers who refer)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.roles import REWARD_HOLDERS
from portal.rewards.redemptions import redemption_request
from portal.rewards.selectors import catalog_for, catalog_with_eligibility

from ..errors import Conflict, errors
from ..serializers import RedemptionSerializer, RewardItemSerializer
from .base import api_user, object_or_404, require_role

ONLY_PARTICIPANTS = _("Only employees, partners and customers who refer collect rewards.")


class CatalogView(APIView):
    @extend_schema(
        operation_id="rewards_catalog",
        summary="The reward catalog, marked with what you may and can redeem",
        responses={200: RewardItemSerializer(many=True), **errors()},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        require_role(user, *REWARD_HOLDERS, message=ONLY_PARTICIPANTS)
        items = catalog_with_eligibility(participant=user, items=catalog_for(user=user))
        return Response(RewardItemSerializer(items, many=True).data)


class RedeemView(APIView):
    @extend_schema(
        operation_id="rewards_redeem",
        summary="Spend points on a catalog item",
        description="409 when your points, your tier or the stock do not allow it; nothing "
        "is spent then.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Item id.")],
        request=None,
        responses={201: RedemptionSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        require_role(user, *REWARD_HOLDERS, message=ONLY_PARTICIPANTS)
        item = object_or_404(catalog_for(user=user), pk)
        try:
            redemption = redemption_request(participant=user, item=item)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages), code="redemption_refused") from exc
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)
