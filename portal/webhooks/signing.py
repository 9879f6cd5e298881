# SPDX-License-Identifier: AGPL-3.0-or-later
"""The signature on webhooks we send and on CRM callbacks we receive (one scheme):

    Vouch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

A receiver recomputes the HMAC over the timestamp, a dot and the exact bytes of the body,
compares in constant time, and refuses timestamps too far from its clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.utils.translation import gettext as _

HEADER = "Vouch-Signature"


class BadSignature(Exception):
    """The request is not signed with the integration's secret, or not recently."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def signature_verify(
    *, secret: str, header: str, body: bytes, tolerance: int, now: float | None = None
) -> int:
    """Return the signed timestamp, or raise BadSignature saying what is wrong."""
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdecimal() and len(value) < 12:
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise BadSignature(
            _("Sign the request: %(header)s: t=<time>,v1=<signature>.") % {"header": HEADER}
        )
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise BadSignature(_("The signature's timestamp is too old or in the future."))
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise BadSignature(_("The signature does not match the body and the shared secret."))
    return timestamp
