# SPDX-License-Identifier: AGPL-3.0-or-later
"""The inbound CRM callback: signed with the integration's secret, idempotent on the
CRM's external id (``portal.webhooks.crm``)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.webhooks import crm
from portal.webhooks.signing import HEADER, BadSignature

from ..errors import DESCRIPTIONS, ErrorSerializer, errors
from ..serializers import CrmCallbackSerializer, CrmResultSerializer
from .base import body

REPLAYED = "Vouch-Replayed"


class CrmCallbackView(APIView):
    authentication_classes = []  # the signature is the authentication
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return f'{HEADER} realm="crm"'  # a bad signature is a 401, not a 403

    @extend_schema(
        operation_id="crm_callback",
        summary="A CRM marks a lead won or lost, or reverses a won deal",
        description=(
            f"Sign the exact body: `{HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "
            '"<t>.<body>")>` with the integration\'s shared secret; requests more than five '
            "minutes off are refused. `won` needs `deal_value` and `currency`; `lost` and "
            "`reversed` need `reason`; `reversed` claws back the deal's commissions. A repeat "
            f"of a processed `external_id` returns the first result with `{REPLAYED}: true` "
            "and changes nothing. The callback acts as the integration's reviewer."
        ),
        # drf-spectacular types ``auth`` as scheme names; it also takes requirement objects.
        auth=[{"vouchSignature": []}],  # type: ignore[list-item]
        parameters=[
            OpenApiParameter(
                "source",
                str,
                OpenApiParameter.PATH,
                pattern=r"^[-a-zA-Z0-9_]+$",
                description="The integration's source.",
            ),
            OpenApiParameter(
                REPLAYED,
                str,
                OpenApiParameter.HEADER,
                response=[200],
                enum=["true"],
                description="Present when this answer is the stored result of a repeat.",
            ),
        ],
        request=CrmCallbackSerializer,
        responses={
            200: CrmResultSerializer,
            **errors(400, 404, 409),
            401: OpenApiResponse(
                response=ErrorSerializer,
                description="Missing or wrong signature, a timestamp too far off, or an "
                "unknown or inactive integration.",
            ),
            403: OpenApiResponse(
                response=ErrorSerializer,
                description=DESCRIPTIONS[403].split(",")[0]
                + ": the integration's reviewer may not change this lead now.",
            ),
        },
    )
    def post(self, request: Request, source: str) -> Response:
        raw = request.body  # before parsing: the signature covers these exact bytes
        try:
            integration = crm.crm_callback_authenticate(
                source=source, header=request.headers.get(HEADER, ""), body=raw
            )
        except BadSignature as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="bad_signature") from exc
        data = body(CrmCallbackSerializer, request)
        try:
            result, replayed = crm.crm_callback_process(integration=integration, **data)
        except ObjectDoesNotExist as exc:
            raise exceptions.NotFound(str(exc)) from exc
        response = Response(result)
        if replayed:
            response[REPLAYED] = "true"
        return response
