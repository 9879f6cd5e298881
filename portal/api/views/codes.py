# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reward codes for shops, tills and CRMs: check a code and use it exactly once. Signed
with the code client's secret (``portal.rewards.codes``), like CRM callbacks."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.rewards import codes
from portal.rewards.models import CodeClient
from portal.webhooks.signing import HEADER, BadSignature

from ..errors import Conflict, ErrorSerializer, errors
from ..serializers import RewardCodeRequestSerializer, RewardCodeSerializer
from .base import body

SIGNED = (
    f"Sign the exact body: `{HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "
    '"<t>.<body>")>` with the code client\'s shared secret; requests more than five '
    "minutes off are refused."
)
PARAMETERS = [
    OpenApiParameter(
        "source",
        str,
        OpenApiParameter.PATH,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="The code client's source.",
    )
]
UNSIGNED = OpenApiResponse(
    response=ErrorSerializer,
    description="Missing or wrong signature, a timestamp too far off, or an unknown or "
    "inactive code client.",
)


class _Signed(APIView):
    authentication_classes = []  # the signature is the authentication
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return f'{HEADER} realm="codes"'  # a bad signature is a 401, not a 403

    def client(self, request: Request, source: str) -> CodeClient:
        try:
            return codes.code_client_authenticate(
                source=source, header=request.headers.get(HEADER, ""), body=request.body
            )
        except BadSignature as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="bad_signature") from exc


class RewardCodeCheckView(_Signed):
    @extend_schema(
        operation_id="reward_code_check",
        summary="What a store credit or discount code is worth, and whether it can be used",
        description=SIGNED + " Changes nothing.",
        auth=[{"vouchSignature": []}],  # type: ignore[list-item]
        parameters=PARAMETERS,
        request=RewardCodeRequestSerializer,
        responses={200: RewardCodeSerializer, **errors(400, 404), 401: UNSIGNED},
    )
    def post(self, request: Request, source: str) -> Response:
        client = self.client(request, source)
        data = body(RewardCodeRequestSerializer, request)
        try:
            return Response(codes.reward_code_check(client=client, code=data["code"]))
        except ObjectDoesNotExist as exc:
            raise exceptions.NotFound(str(exc)) from exc


class RewardCodeRedeemView(_Signed):
    @extend_schema(
        operation_id="reward_code_redeem",
        summary="Use a store credit or discount code, exactly once",
        description=SIGNED
        + " Of any number of simultaneous requests for one code, one succeeds; the others, "
        "and any later one, get 409 (`conflict`: used or expired).",
        auth=[{"vouchSignature": []}],  # type: ignore[list-item]
        parameters=PARAMETERS,
        request=RewardCodeRequestSerializer,
        responses={200: RewardCodeSerializer, **errors(400, 404, 409), 401: UNSIGNED},
    )
    def post(self, request: Request, source: str) -> Response:
        client = self.client(request, source)
        data = body(RewardCodeRequestSerializer, request)
        try:
            result = codes.reward_code_redeem(
                client=client, code=data["code"], reference=data["reference"]
            )
        except ObjectDoesNotExist as exc:
            raise exceptions.NotFound(str(exc)) from exc
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(result)
