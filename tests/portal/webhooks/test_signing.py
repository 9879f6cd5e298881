# SPDX-License-Identifier: AGPL-3.0-or-later
"""The signature scheme, checked against answers computed here (HMAC-SHA256 over
"<t>.<body>"), not through the function under test."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

import pytest

from portal.webhooks.signing import (
    HEADER,
    BadSignature,
    sign,
    signature_header,
    signature_verify,
)

SECRET = "whsec_test_0123456789"
BODY = b'{"event":"lead.status_changed","lead":42}'
T = 1_700_000_000
# The whole message, word for word (what the CRM's developer reads in the 401).
NO_MATCH = "^" + re.escape("The signature does not match the body and the shared secret.") + "$"
TOO_OLD = "^" + re.escape("The signature's timestamp is too old or in the future.") + "$"
UNSIGNED = "^" + re.escape("Sign the request: Vouch-Signature: t=<time>,v1=<signature>.") + "$"


def _expected(timestamp: int, body: bytes, secret: str = SECRET) -> str:
    return hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()


def test_the_header_is_the_documented_hmac_over_timestamp_dot_body():
    assert HEADER == "Vouch-Signature"
    assert signature_header(SECRET, BODY, T) == f"t={T},v1={_expected(T, BODY)}"
    # A fixed answer (openssl dgst -sha256 -hmac whsec_test_0123456789 over
    # '1700000000.{"event":"lead.status_changed","lead":42}'): any change to what is
    # signed or how breaks it.
    assert sign(SECRET, T, BODY) == (
        "b346537e6463d6d90747c5003b3a3e12fe9b372afe310d08caff1490aa11d72f"
    )
    assert sign(SECRET, T, BODY) != hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


def test_a_valid_header_verifies_and_returns_its_timestamp():
    header = f"t={T},v1={_expected(T, BODY)}"
    assert signature_verify(secret=SECRET, header=header, body=BODY, tolerance=300, now=T) == T


def test_a_valid_header_with_its_timestamp_changed_is_refused():
    """A replay: the same body and signature under a fresh timestamp."""
    header = signature_header(SECRET, BODY, T)
    assert signature_verify(secret=SECRET, header=header, body=BODY, tolerance=300, now=T) == T
    replayed = header.replace(f"t={T},", f"t={T + 60},")
    assert replayed != header
    with pytest.raises(BadSignature, match=NO_MATCH):
        signature_verify(secret=SECRET, header=replayed, body=BODY, tolerance=300, now=T + 60)


def test_a_changed_body_or_another_secret_is_refused():
    header = f"t={T},v1={_expected(T, BODY)}"
    with pytest.raises(BadSignature, match=NO_MATCH):
        signature_verify(secret=SECRET, header=header, body=BODY + b" ", tolerance=300, now=T)
    with pytest.raises(BadSignature, match=NO_MATCH):
        signature_verify(secret=SECRET + "x", header=header, body=BODY, tolerance=300, now=T)


@pytest.mark.parametrize(("skew", "ok"), [(-300, True), (300, True), (-301, False), (301, False)])
def test_the_timestamp_must_be_within_the_tolerance_either_way(skew, ok):
    header = f"t={T},v1={_expected(T, BODY)}"
    if ok:
        assert (
            signature_verify(secret=SECRET, header=header, body=BODY, tolerance=300, now=T + skew)
            == T
        )
    else:
        with pytest.raises(BadSignature, match=TOO_OLD):
            signature_verify(secret=SECRET, header=header, body=BODY, tolerance=300, now=T + skew)


def test_any_of_several_signatures_may_match_during_a_secret_rotation():
    header = f"t={T},v1={_expected(T, BODY, 'old-secret')},v1={_expected(T, BODY)}"
    assert signature_verify(secret=SECRET, header=header, body=BODY, tolerance=300, now=T) == T
    spaced = f" t={T} , v1={_expected(T, BODY)} "
    assert signature_verify(secret=SECRET, header=spaced, body=BODY, tolerance=300, now=T) == T


@pytest.mark.parametrize(
    "header",
    [
        "",
        f"v1={_expected(T, BODY)}",
        f"t={T}",
        f"t={T},v1=",
        f"t=abc,v1={_expected(T, BODY)}",
        f"t=²,v1={_expected(T, BODY)}",
        f"t=100000000000,v1={_expected(100000000000, BODY)}",
        f"ts={T},v1={_expected(T, BODY)}",
        f"t={T},v0={_expected(T, BODY)}",
    ],
)
def test_malformed_headers_say_how_to_sign(header):
    with pytest.raises(BadSignature, match=UNSIGNED):
        signature_verify(secret=SECRET, header=header, body=BODY, tolerance=10**12, now=T)


def test_a_header_made_now_carries_the_current_time_and_verifies_now():
    before = int(time.time())
    header = signature_header(SECRET, BODY)
    after = int(time.time())
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert before <= timestamp <= after
    assert header == f"t={timestamp},v1={_expected(timestamp, BODY)}"
    assert signature_verify(secret=SECRET, header=header, body=BODY, tolerance=5) == timestamp


def test_a_signature_containing_an_equals_sign_is_read_whole():
    """Each part splits at its first "=": "v1=abc=def" is a (wrong) signature, not junk."""
    with pytest.raises(BadSignature, match=NO_MATCH):
        signature_verify(secret=SECRET, header=f"t={T},v1=abc=def", body=BODY, tolerance=300, now=T)
