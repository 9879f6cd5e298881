# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of fraud cases: the reviewers' queue, and whether a lead is held."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role

from .models import CaseStatus, FraudCase


def hold_reason(*, case_id: int) -> str:
    """The hold reason written on what a case holds (finance reads it). Pure."""
    return f"Fraud case #{case_id}"


def lead_held_by_fraud(*, lead_id: int) -> FraudCase | None:
    """The open case holding a lead, if any. Read only."""
    return FraudCase.objects.filter(leads=lead_id, status=CaseStatus.OPEN).first()


def leads_held_by_fraud(*, lead_ids: list[int]) -> dict[int, int]:
    """Of these leads, those an open case holds, with the case's id (one query). Read
    only."""
    return dict(
        FraudCase.leads.through.objects.filter(
            lead_id__in=lead_ids, fraudcase__status=CaseStatus.OPEN
        ).values_list("lead_id", "fraudcase_id")
    )


def fraud_cases_visible_to(*, user: User) -> QuerySet[FraudCase]:
    """Reviewers see every case, open first; anyone else none."""
    if not has_role(user=user, roles=(Role.REVIEWER,)):
        return FraudCase.objects.none()
    return FraudCase.objects.prefetch_related("leads", "leads__referrer").select_related(
        "decided_by"
    )
