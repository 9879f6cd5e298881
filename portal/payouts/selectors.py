from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.roles import Role
from portal.accounts.selectors import has_role

from .models import Commission, PayoutBatch


def commissions_visible_to(user) -> QuerySet[Commission]:
    """Finance sees all; a partner admin their organisation's; an employee their own
    bonuses; a partner user only the summary (see ``commission_summary``)."""
    qs = Commission.objects.select_related("lead", "payee_org", "payee_user", "batch")
    if has_role(user, Role.FINANCE):
        return qs
    if has_role(user, Role.PARTNER_ADMIN):
        return qs.filter(payee_org_id=user.partner_organisation_id)
    if has_role(user, Role.EMPLOYEE):
        return qs.filter(payee_user=user)
    return qs.none()


def batches_visible_to(user) -> QuerySet[PayoutBatch]:
    if has_role(user, Role.FINANCE):
        return PayoutBatch.objects.select_related("built_by", "approved_by", "paid_by")
    return PayoutBatch.objects.none()
