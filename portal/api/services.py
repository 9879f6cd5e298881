# SPDX-License-Identifier: AGPL-3.0-or-later
"""API tokens: creation (shown once), revocation, and authentication of a bearer token.

Rules (README "REST API and webhooks"):
- a token acts as one user and is checked by the same selectors as that user's pages;
- a token is created only for a user who meets the web's MFA rule at that moment, and a
  request is refused while its user does not (``portal.api.permissions``);
- an integration key belongs to a partner organisation and acts as one of its active
  members, chosen when the key is created; reviewers and the organisation's partner
  admins create and revoke them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.selectors import needs_mfa_setup, roles_of
from portal.audit.services import audit_record

from .models import ApiToken
from .selectors import can_manage_integration_keys

TOKEN_PREFIX = "vch_"  # noqa: S105 (a prefix, not a secret)
# last_used_at is written at most this often per token: one UPDATE a minute, not per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(*, token: str) -> str:
    """What an API token is stored as (SHA-256; the token itself is never stored).
    Pure."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(full token, visible prefix). The prefix is part of the token, so a leaked token
    can be matched to its row by eye."""
    public = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}", f"{TOKEN_PREFIX}{public}"


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the tool that uses it.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("Keep the name under 100 characters.")]})
    return name


def _check_may_hold_token(user: User) -> None:
    if not user.is_active or not roles_of(user=user):
        raise PermissionDenied(_("This account cannot use the API."))
    if needs_mfa_setup(user=user):
        raise PermissionDenied(
            _(
                "Set up two-factor authentication first: your account has reviewer or "
                "finance powers, and so would its tokens."
            )
        )


def api_token_create(*, user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """A personal token for ``user``. ``actor`` is the user themself (settings page) or
    None (``manage.py create_api_token``, run by an operator). Returns the token row and
    the full token, which exists nowhere else. Checks the user may hold a token and
    the name; audits it. Locks nothing, publishes nothing."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("People create their own API tokens."))
    name = _clean_name(name)
    _check_may_hold_token(user)
    return _token_issue(
        user=user,
        organisation=None,
        name=name,
        actor=actor,
        data={"kind": "personal", "user": user.pk, "via": "web" if actor else "command"},
    )


def _token_issue(
    *,
    user: User,
    organisation: PartnerOrganisation | None,
    name: str,
    actor: User | None,
    data: dict,
) -> tuple[ApiToken, str]:
    """Store a new token's hash and audit it; the full token is returned, never stored."""
    token, prefix = _new_token()
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            organisation=organisation,
            name=name,
            prefix=prefix,
            key_hash=token_hash(token=token),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="api_token.created",
            target=row,
            to_state="active",
            data={"prefix": prefix, **data},
        )
    return row, token


def integration_key_create(
    *, actor: User, organisation: PartnerOrganisation, acting_user: User, name: str
) -> tuple[ApiToken, str]:
    """An organisation's integration key, acting as ``acting_user`` (an active
    member). Checks the actor may manage the organisation's keys and the acting user;
    audits it. Locks nothing, publishes nothing."""
    if not can_manage_integration_keys(user=actor, organisation=organisation) or needs_mfa_setup(
        user=actor
    ):
        raise PermissionDenied(_("You cannot manage this organisation's integration keys."))
    name = _clean_name(name)
    if not organisation.is_active:
        raise ValidationError(
            _("This organisation's account is suspended: it cannot get integration keys.")
        )
    if acting_user.partner_organisation_id != organisation.pk or not acting_user.is_active:
        raise ValidationError(
            {"acting_user": [_("Choose an active member of %(org)s.") % {"org": organisation.name}]}
        )
    return _token_issue(
        user=acting_user,
        organisation=organisation,
        name=name,
        actor=actor,
        data={"kind": "integration", "organisation": organisation.pk, "acts_as": acting_user.pk},
    )


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke at once: the next request with the token is refused. Twice is once.
    Checks the actor owns the token or manages its organisation; locks the token's
    row; audits it. Publishes nothing."""
    if token.is_integration_key:
        allowed = token.organisation is not None and can_manage_integration_keys(
            user=actor, organisation=token.organisation
        )
    else:
        allowed = token.user_id == actor.pk
    if not allowed:
        raise PermissionDenied(_("You cannot revoke this token."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at:
            return locked
        locked.revoked_at, locked.revoked_by = timezone.now(), actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="api_token.revoked",
            target=locked,
            from_state="active",
            to_state="revoked",
            data={"prefix": locked.prefix},
        )
    return locked


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for a bearer value, with its user, or None. One query (and an UPDATE
    of ``last_used_at`` at most once a minute). Locks nothing, publishes nothing."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user", "user__partner_organisation")
        .filter(key_hash=token_hash(token=raw), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.is_integration_key and row.user.partner_organisation_id != row.organisation_id:
        return None  # the member it acted as has left the organisation
    now = timezone.now()
    if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row
