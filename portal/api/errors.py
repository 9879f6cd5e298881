# SPDX-License-Identifier: AGPL-3.0-or-later
"""One error shape for every API response that is not a success:

    {"code": "<stable, machine-readable>", "message": "<for people>", "fields": {...}}

``fields`` (400 only) maps each input field to its messages. Services raise Django's
``ValidationError`` and ``PermissionDenied``; ``IllegalTransition`` (a lead not in a state
the action applies to) and ``Conflict`` become 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from portal.leads.services import IllegalTransition

NON_FIELD_KEYS = {"__all__", "non_field_errors"}


class Conflict(exceptions.APIException):
    """The request is valid but the current state refuses it (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The current state does not allow this.")
    default_code = "conflict"


def _text(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(_text(v) for v in detail.values())
    if isinstance(detail, list | tuple):
        return " ".join(_text(v) for v in detail)
    return str(detail)


def _fields(detail) -> tuple[dict[str, list[str]], list[str]]:
    """Split a validation detail into per-field messages and the rest."""
    if not isinstance(detail, dict):
        return {}, [_text(detail)]
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for name, errors in detail.items():
        messages = [_text(e) for e in (errors if isinstance(errors, list) else [errors])]
        if name in NON_FIELD_KEYS:
            general += messages
        else:
            fields[str(name)] = messages
    return fields, general


def error_response(status_code: int, code: str, message: str, **extra) -> Response:
    return Response({"code": code, "message": message, **extra}, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, IllegalTransition):
        return error_response(409, "illegal_transition", " ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling (and logging) takes over

    headers = {}
    auth_header = getattr(exc, "auth_header", None)  # set by DRF on 401s
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # Throttled
    if wait:
        headers["Retry-After"] = str(int(wait))

    if isinstance(exc, exceptions.ValidationError):
        fields, general = _fields(exc.detail)
        message = " ".join(general) or str(_("Some fields are not valid; see “fields”."))
        response = error_response(400, "invalid", message, fields=fields)
    else:
        # DRF's codes (not_authenticated, permission_denied, not_found, throttled, …) or
        # the one a view gave (mfa_required, bad_signature, redemption_refused).
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        extra: dict[str, Any] = {"fields": {}} if exc.status_code == 400 else {}  # one shape
        response = error_response(exc.status_code, code, _text(exc.detail), **extra)
    for name, value in headers.items():
        response[name] = value
    return response


# --- The error shape in the OpenAPI schema ---------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable and machine-readable: `invalid` and `parse_error` (400); "
        "`not_authenticated`, `authentication_failed` and `bad_signature` (401); "
        "`permission_denied` and `mfa_required` (403); `not_found` (404); "
        "`method_not_allowed` (405); `unsupported_media_type` (415); `illegal_transition`, "
        "`conflict` and `redemption_refused` (409); `throttled` (429)."
    )
    message = serializers.CharField(help_text="For people, in the user's language.")


class ValidationErrorSerializer(ErrorSerializer):
    pass


# "fields" is also the name of a Serializer property, so it is declared this way.
ValidationErrorSerializer._declared_fields["fields"] = serializers.DictField(
    child=serializers.ListField(child=serializers.CharField()),
    help_text="Messages per input field.",
)

DESCRIPTIONS = {
    400: "Invalid input: `fields` has the messages per field; nothing was saved.",
    401: "No token, or a token that is not valid or was revoked (`WWW-Authenticate: Bearer`).",
    403: "Authenticated, but this user may not do this (`permission_denied`), or has reviewer "
    "or finance powers without two-factor authentication (`mfa_required`).",
    404: "Not found, or not visible to this user.",
    409: "The current state does not allow this (`illegal_transition`, `conflict`).",
    429: "Too many requests (`throttled`); retry after `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema responses for the given error statuses (401, 403 and 429 apply to every
    endpoint: no or a bad token, the MFA rule, the rate limit)."""
    wanted = sorted({401, 403, 429, *codes})
    return {
        c: OpenApiResponse(
            response=ValidationErrorSerializer if c == 400 else ErrorSerializer,
            description=DESCRIPTIONS[c],
        )
        for c in wanted
    }
