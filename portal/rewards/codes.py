# SPDX-License-Identifier: AGPL-3.0-or-later
"""Store credit and discount codes (SPEC §5): issued by a redemption with a value and an
expiry, checked and used exactly once by a shop, point of sale or CRM through the signed
codes API (``Vouch-Signature``, the scheme of webhooks and CRM callbacks).

Using a code is one conditional UPDATE (``redeemed_at IS NULL AND expires_at > now``):
of any number of simultaneous requests, exactly one changes the row."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.money import money
from portal.webhooks.signing import BadSignature, signature_verify

from .models import CodeClient, Redemption, RewardCode

# No 0/O or 1/I: codes are read aloud and typed at tills.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}"


def reward_code_issue(*, redemption: Redemption) -> RewardCode:
    """The code of a store credit or discount code redemption: its value, currency and
    expiry come from the item. Once per redemption (one-to-one); a second call returns
    the first code. Call inside the transaction that fulfils the redemption. Audits it;
    publishes nothing."""
    existing = RewardCode.objects.filter(redemption=redemption).first()
    if existing is not None:
        return existing
    item = redemption.item
    if item.face_value is None:
        raise ValidationError(_("This reward has no value set; ask an admin to fix it."))
    now = timezone.now()
    code = RewardCode.objects.create(
        code=_new_code(),
        redemption=redemption,
        participant=redemption.participant,
        kind=item.kind,
        value_kind=item.face_value_kind,
        value=money(item.face_value),
        currency="" if item.face_value_kind == "percent" else item.value_currency,
        issued_at=now,
        expires_at=now + timedelta(days=item.code_valid_days),
    )
    audit_record(
        actor=None,
        action="reward_code.issued",
        target=code,
        to_state="issued",
        data={"redemption": redemption.pk, "expires": code.expires_at.isoformat()},
    )
    return code


def code_client_authenticate(
    *, source: str, header: str, body: bytes, now: float | None = None
) -> CodeClient:
    """The active code client whose secret signed ``body``, or BadSignature. Read only."""
    client = CodeClient.objects.filter(source=source, is_active=True).first()
    if client is None:
        raise BadSignature(_("No active code client answers to this URL."))
    signature_verify(
        secret=client.secret,
        header=header,
        body=body,
        tolerance=settings.SIGNATURE_TOLERANCE_SECONDS,
        now=now,
    )
    return client


def _describe(code: RewardCode, *, now: datetime) -> dict[str, Any]:
    if code.redeemed_at is not None:
        state = "used"
    elif code.expires_at <= now:
        state = "expired"
    else:
        state = "valid"
    return {
        "code": code.code,
        "state": state,
        "kind": code.kind,
        "value_kind": code.value_kind,
        "value": f"{code.value:.2f}",
        "currency": code.currency,
        "expires_at": code.expires_at.isoformat(),
        "redeemed_at": code.redeemed_at.isoformat() if code.redeemed_at else None,
        "reference": code.redeemed_reference,
    }


def _find(code: str) -> RewardCode:
    found = RewardCode.objects.filter(code=(code or "").strip().upper()).first()
    if found is None:
        raise ObjectDoesNotExist(_("No reward code has this value."))
    return found


def reward_code_check(*, client: CodeClient, code: str) -> dict[str, Any]:
    """What a code is worth and whether it can be used now ("valid", "used", "expired").
    Read only; ObjectDoesNotExist for an unknown code."""
    return _describe(_find(code), now=timezone.now())


def reward_code_redeem(*, client: CodeClient, code: str, reference: str = "") -> dict[str, Any]:
    """Use a code once, for the client's order ``reference``. One conditional UPDATE
    claims it (unused and unexpired): under any number of simultaneous requests exactly
    one succeeds; the others get a ValidationError saying it was used. Audits the use;
    publishes nothing."""
    found = _find(code)
    now = timezone.now()
    reference = (reference or "").strip()[:120]
    with transaction.atomic():
        claimed = RewardCode.objects.filter(
            pk=found.pk, redeemed_at__isnull=True, expires_at__gt=now
        ).update(redeemed_at=now, redeemed_by=client, redeemed_reference=reference)
        found.refresh_from_db()
        if not claimed:
            if found.redeemed_at is not None:
                raise ValidationError(
                    _("This code was already used on %(date)s.")
                    % {"date": timezone.localtime(found.redeemed_at).date().isoformat()}
                )
            raise ValidationError(_("This code has expired."))
        audit_record(
            actor=None,
            action="reward_code.redeemed",
            target=found,
            from_state="issued",
            to_state="used",
            data={"client": client.source, "reference": reference},
        )
    return _describe(found, now=now)
