# SPDX-License-Identifier: AGPL-3.0-or-later
"""The partner side of payouts: where an organisation's money goes (IBAN and BIC)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from localflavor.generic.validators import BICValidator, IBANValidator

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record

from .selectors import mask


def payout_details_update(
    *, actor: User, organisation: PartnerOrganisation, account_holder: str, iban: str, bic: str = ""
) -> PartnerOrganisation:
    """The partner admin keeps the organisation's payout details. Checks the role and
    the organisation, validates the IBAN and BIC; locks the organisation's row; audits
    the change with the IBAN masked. Publishes nothing."""
    if not (
        has_role(user=actor, roles=(Role.PARTNER_ADMIN,))
        and actor.partner_organisation_id == organisation.pk
    ):
        raise PermissionDenied(_("Only the organisation's partner admin edits its payout details."))
    errors: dict[str, list[str]] = {}
    iban = (iban or "").replace(" ", "").upper()
    bic = (bic or "").replace(" ", "").upper()
    if not account_holder.strip():
        errors["account_holder"] = [_("Enter the account holder's name.")]
    try:
        IBANValidator()(iban)
    except ValidationError:
        errors["iban"] = [
            _("This IBAN is not valid: check the country code, length and check digits.")
        ]
    if bic:
        try:
            BICValidator()(bic)
        except ValidationError:
            errors["bic"] = [_("This BIC is not valid.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        org = PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)
        before = mask(value=org.payout_details.get("iban", ""))
        org.payout_details = {
            "method": "iban",
            "account_holder": account_holder.strip(),
            "iban": iban,
            "bic": bic,
            "updated_at": timezone.now().isoformat(),
        }
        org.save(update_fields=["payout_details"])
        audit_record(
            actor=actor,
            action="payout_details.updated",
            target=org,
            from_state=before,
            to_state=mask(value=iban),
        )
    return org
