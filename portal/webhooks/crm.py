# SPDX-License-Identifier: AGPL-3.0-or-later
"""Inbound CRM callbacks: a CRM marks a lead won (deal value, currency, deal id) or lost
(reason), or reverses a won deal, which claws back its commissions.

A callback is signed like our webhooks, with the integration's shared secret. It acts as
the integration's designated reviewer, through the same lead services as the review
screens (so the same rules, audit events and notifications apply). It is idempotent on
the CRM's ``external_id``: the first successful result is stored under a unique
(integration, external id) and a repeat gets it back without acting again. A refused
callback (bad input, wrong state) stores nothing, so the CRM may retry it later.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role, needs_mfa_setup
from portal.audit.services import audit_record
from portal.leads.models import Lead
from portal.leads.services import lead_mark_lost, lead_mark_won, lead_reverse_deal

from .models import CrmCallback, CrmIntegration
from .services import require_reviewer, secret_new
from .signing import BadSignature, signature_verify

ACTIONS = ("won", "lost", "reversed")


def crm_callback_authenticate(
    *, source: str, header: str, body: bytes, now: float | None = None
) -> CrmIntegration:
    """The active integration whose secret signed ``body``, or BadSignature. Read
    only."""
    integration = (
        CrmIntegration.objects.select_related("acting_user")
        .filter(source=source, is_active=True)
        .first()
    )
    if integration is None:
        raise BadSignature(_("No active CRM integration answers to this URL."))
    signature_verify(
        secret=integration.secret,
        header=header,
        body=body,
        tolerance=settings.SIGNATURE_TOLERANCE_SECONDS,
        now=now,
    )
    return integration


def _result(callback_external_id: str, action: str, lead: Lead) -> dict:
    return {
        "external_id": callback_external_id,
        "action": action,
        "lead": {
            "id": lead.pk,
            "status": lead.status,
            "deal_value": None if lead.deal_value is None else f"{lead.deal_value:.2f}",
            "deal_currency": lead.deal_currency,
            "deal_reversed": lead.deal_reversed_at is not None,
        },
        "processed_at": timezone.now().isoformat(),
    }


def crm_callback_process(
    *,
    integration: CrmIntegration,
    external_id: str,
    lead: int,
    action: str,
    deal_value: Decimal | None = None,
    currency: str = "",
    deal_id: str = "",
    reason: str = "",
) -> tuple[dict, bool]:
    """Apply one callback. Returns (result, replayed): a repeat of a processed external id
    returns the stored result with replayed=True and changes nothing. The lead
    services it calls check the acting reviewer's rights, lock the lead and publish
    its events; the callback row (unique per external id) makes a replay change
    nothing."""
    stored = CrmCallback.objects.filter(integration=integration, external_id=external_id).first()
    if stored is not None:
        return stored.result, True
    actor = integration.acting_user
    if not (actor.is_active and has_role(user=actor, roles=(Role.REVIEWER,))) or needs_mfa_setup(
        user=actor
    ):
        raise PermissionDenied(
            _("The integration acts as %(user)s, who cannot review leads now.")
            % {"user": actor.email}
        )
    if action not in ACTIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    payload = {
        "lead": lead,
        "action": action,
        "deal_value": None if deal_value is None else str(deal_value),
        "currency": currency,
        "deal_id": deal_id,
        "reason": reason,
    }
    try:
        with transaction.atomic():
            # Claim the external id first: a concurrent repeat waits here, then replays.
            callback = CrmCallback.objects.create(
                integration=integration, external_id=external_id, action=action, payload=payload
            )
            found = Lead.objects.filter(pk=lead).first()
            if found is None:
                raise ObjectDoesNotExist(_("No lead has this id."))
            note = _("Recorded by %(crm)s") % {"crm": integration.name}
            if action == "won":
                if deal_value is None:
                    raise ValidationError({"deal_value": [_("A won deal needs its value.")]})
                if deal_id:
                    note += " " + _("(deal %(id)s)") % {"id": deal_id}
                updated = lead_mark_won(
                    lead=found, actor=actor, deal_value=deal_value, currency=currency, note=note
                )
            elif action == "lost":
                updated = lead_mark_lost(lead=found, actor=actor, reason=reason)
            else:
                updated = lead_reverse_deal(lead=found, actor=actor, reason=reason)
            result = _result(external_id, action, updated)
            callback.lead, callback.result = updated, result
            callback.save(update_fields=["lead", "result"])
            audit_record(
                actor=actor,
                action="crm.callback",
                target=callback,
                to_state=updated.status,
                data={"source": integration.source, **payload, "external_id": external_id},
            )
    except IntegrityError:
        stored = CrmCallback.objects.filter(
            integration=integration, external_id=external_id
        ).first()
        if stored is None:
            raise
        return stored.result, True
    return result, False


# --- Integrations (reviewers, in the admin) --------------------------------------------------


def _check_acting_user(acting_user: User) -> None:
    if not (acting_user.is_active and has_role(user=acting_user, roles=(Role.REVIEWER,))):
        raise ValidationError({"acting_user": [_("Choose an active reviewer.")]})


def crm_integration_create(
    *, actor: User, name: str, source: str, acting_user: User
) -> tuple[CrmIntegration, str]:
    """A reviewer registers a CRM (unique source; the acting user an active reviewer).
    Returns it and its shared secret (shown once). Audits it; locks nothing.
    Publishes nothing."""
    require_reviewer(actor=actor)
    name, source = (name or "").strip(), (source or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the integration a name.")]
    if not source or not source.replace("-", "").replace("_", "").isalnum() or len(source) > 50:
        errors["source"] = [_("Use letters, digits and hyphens, e.g. hubspot.")]
    elif CrmIntegration.objects.filter(source=source).exists():
        errors["source"] = [_("Another integration uses this source.")]
    if errors:
        raise ValidationError(errors)
    _check_acting_user(acting_user)
    secret = secret_new()
    with transaction.atomic():
        integration = CrmIntegration.objects.create(
            name=name, source=source, secret=secret, acting_user=acting_user, created_by=actor
        )
        audit_record(
            actor=actor,
            action="crm.integration_created",
            target=integration,
            to_state="active",
            data={"source": source, "acting_user": acting_user.pk},
        )
    return integration, secret


def crm_integration_update(
    *, actor: User, integration: CrmIntegration, name: str, acting_user: User, is_active: bool
) -> CrmIntegration:
    """A reviewer renames an integration, changes its acting reviewer or switches it
    off. Locks the integration's row; audits a change. Publishes nothing."""
    require_reviewer(actor=actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the integration a name.")]})
    _check_acting_user(acting_user)
    with transaction.atomic():
        locked = CrmIntegration.objects.select_for_update().get(pk=integration.pk)
        before = (locked.name, locked.acting_user_id, locked.is_active)
        locked.name, locked.acting_user, locked.is_active = name, acting_user, is_active
        if before == (name, acting_user.pk, is_active):
            return locked
        locked.save(update_fields=["name", "acting_user", "is_active"])
        audit_record(
            actor=actor,
            action="crm.integration_changed",
            target=locked,
            from_state="active" if before[2] else "off",
            to_state="active" if is_active else "off",
            data={"name": name, "acting_user": acting_user.pk},
        )
    return locked


def crm_integration_rotate_secret(*, actor: User, integration: CrmIntegration) -> str:
    """A reviewer replaces an integration's shared secret; returns the new one (shown
    once). Audits it; locks nothing (one UPDATE). Publishes nothing."""
    require_reviewer(actor=actor)
    secret = secret_new()
    with transaction.atomic():
        CrmIntegration.objects.filter(pk=integration.pk).update(secret=secret)
        audit_record(actor=actor, action="crm.secret_rotated", target=integration)
    return secret
