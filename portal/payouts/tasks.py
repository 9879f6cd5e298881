# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from portal.accounts.models import User
from portal.notifications.services import notify

from .batches import payout_batch_build
from .models import BatchStatus, PayoutBatch, PayoutLine
from .services import commissions_approve_due


@shared_task
def commissions_approve() -> int:
    """Daily: approve commissions whose hold period has passed."""
    return commissions_approve_due()


@shared_task
def payout_batch_build_task(batch_id: int) -> str:
    try:
        return payout_batch_build(batch_id=batch_id).status
    except Exception as exc:
        PayoutBatch.objects.filter(pk=batch_id, status=BatchStatus.BUILDING).update(
            status=BatchStatus.FAILED, error=str(exc)[:2000]
        )
        raise


@shared_task
def payout_batch_notify_paid(batch_id: int) -> int:
    """Tell each paid partner's admins (and each paid employee). Idempotent per batch
    in effect: it only notifies, it changes no money."""
    sent = 0
    for line in PayoutLine.objects.filter(batch_id=batch_id).select_related(
        "batch", "payee_org", "payee_user"
    ):
        recipients = (
            User.objects.filter(
                partner_organisation=line.payee_org, is_partner_admin=True, is_active=True
            )
            if line.payee_org_id
            else [line.payee_user]
            if line.payee_user is not None
            else []
        )
        for user in recipients:
            notify(
                user=user,
                kind="commission_paid",
                context={"line": line, "batch": line.batch},
                url=reverse("payouts:commissions") if line.payee_org_id else "",
            )
            sent += 1
    return sent
