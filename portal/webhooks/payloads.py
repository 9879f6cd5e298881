# SPDX-License-Identifier: AGPL-3.0-or-later
"""What each webhook event carries: ids and states, and a lead's contact data only for
endpoints that ask for it (``CONTACT``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import WebhookEvent


def _lead(lead, **extra) -> dict[str, Any]:
    # Only the lead's own columns: emitting costs no query in the lead's transaction.
    return {
        "lead": {
            "id": lead.pk,
            "program_id": lead.program_id,
            "status": lead.status,
            "source": lead.source,
            "referrer_id": lead.referrer_id,
            "organisation_id": lead.organisation_id,
            "submitted_at": lead.submitted_at,
            "status_changed_at": lead.status_changed_at,
            "status_note": lead.status_note,
            "rejection_reason": lead.rejection_reason,
            "flags": [f["rule"] for f in lead.flags],
            "has_conflict": lead.conflict_with_id is not None,
            "deal_value": lead.deal_value,
            "deal_currency": lead.deal_currency,
            "deal_reversed_at": lead.deal_reversed_at,
            "lost_reason": lead.lost_reason,
        },
        **extra,
    }


def _lead_contact(lead) -> dict[str, str]:
    return {f: getattr(lead, f) for f in ("name", "email", "phone", "company", "notes")}


def _commission(commission) -> dict[str, Any]:
    return {
        "commission": {
            "id": commission.pk,
            "lead_id": commission.lead_id,
            "program_id": commission.program_id,
            "payee_organisation_id": commission.payee_org_id,
            "payee_user_id": commission.payee_user_id,
            "event": commission.event,
            "amount": commission.amount,
            "currency": commission.currency,
            "status": commission.status,
            "approved_at": commission.approved_at,
        }
    }


def _batch(batch) -> dict[str, Any]:
    return {
        "batch": {
            "id": batch.pk,
            "reference": batch.reference,
            "kind": batch.kind,
            "currency": batch.currency,
            "total": batch.total,
            "payee_count": batch.payee_count,
            "commission_count": batch.commission_count,
            "paid_at": batch.paid_at,
        }
    }


def _tier_change(change) -> dict[str, Any]:
    def tier(t):
        return {"id": t.pk, "name": t.name} if t else None

    return {
        "participant_id": change.participant_id,
        "program_id": change.program_id,
        "from_tier": tier(change.from_tier),
        "to_tier": tier(change.to_tier),
        "points": change.points,
        "reason": change.reason,
        "changed_at": change.created_at,
    }


PAYLOADS: dict[str, Callable[..., dict[str, Any]]] = {
    WebhookEvent.LEAD_CREATED: _lead,
    WebhookEvent.LEAD_STATUS_CHANGED: _lead,
    WebhookEvent.COMMISSION_APPROVED: _commission,
    WebhookEvent.PAYOUT_PAID: _batch,
    WebhookEvent.TIER_CHANGED: _tier_change,
}
CONTACT: dict[str, Callable[[Any], dict[str, str]]] = {
    WebhookEvent.LEAD_CREATED: _lead_contact,
    WebhookEvent.LEAD_STATUS_CHANGED: _lead_contact,
}
