# SPDX-License-Identifier: AGPL-3.0-or-later
"""Finishing touches on the generated OpenAPI document (drf-spectacular hook)."""

from __future__ import annotations

from portal.webhooks.signing import HEADER

SIGNATURE_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": HEADER,
    "description": 'CRM callbacks: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw '
    "body>\")>` with the integration's shared secret.",
}
RESPONSE_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": "The scheme to authenticate with.",
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds until a request is accepted again.",
        }
    },
}


def only_this_api(endpoints):
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


def postprocess(result, generator, request, public):
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["vouchSignature"] = SIGNATURE_SCHEME
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for status, headers in RESPONSE_HEADERS.items():
                response = operation.get("responses", {}).get(status)
                if response is not None:
                    response.setdefault("headers", {}).update(headers)
    return result
