# SPDX-License-Identifier: AGPL-3.0-or-later
"""May this user submit leads at all? One rule for the form, the referral link, the CSV
import, the dashboards and the API. Programs decide the rest (``program_check_open_to``).

Other apps add conditions without leads importing them: the partner agreement
(``cms``) registers a check in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role, is_partner


@dataclass(frozen=True)
class SubmitPermission:
    allowed: bool
    reason: str | Promise = ""
    action_url: str = ""  # where to go to lift the refusal, when there is such a place
    action_label: str | Promise = ""


ALLOWED = SubmitPermission(True)
SubmissionCheck = Callable[[User], SubmitPermission | None]
_partner_checks: list[SubmissionCheck] = []


def partner_submission_check_register(*, check: SubmissionCheck) -> None:
    """Add a condition partner users must meet before submitting (None: met)."""
    if check not in _partner_checks:
        _partner_checks.append(check)


def lead_submission_permission(*, user: User) -> SubmitPermission:
    """Employees and customers may submit; partner users while their organisation is active and every
    registered partner check passes (the current partner agreement accepted). Reads the
    user's own row; a partner check may read more."""
    if is_partner(user=user):
        organisation = user.partner_organisation
        if organisation is None or not organisation.is_active:
            return SubmitPermission(
                False,
                _("Your organisation's account is suspended, so new leads cannot be submitted."),
            )
        for check in _partner_checks:
            refusal = check(user)
            if refusal is not None:
                return refusal
        return ALLOWED
    # Employees, and customers who signed up to refer: from the user's own row, no query.
    if has_role(user=user, roles=(Role.EMPLOYEE, Role.CUSTOMER)):
        return ALLOWED
    return SubmitPermission(False, _("Only employees and partners submit leads."))
