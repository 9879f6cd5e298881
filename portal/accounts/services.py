# SPDX-License-Identifier: AGPL-3.0-or-later
"""Changes to accounts, organisations and invitations. Views and tasks call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.events.services import publish

from .models import Invitation, PartnerOrganisation, User
from .roles import Role
from .selectors import can_invite_into, has_role


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalise_domain(domain: str) -> str:
    return domain.strip().lower().lstrip("@")


def organisation_create(*, actor: User, name: str, email_domain: str = "") -> PartnerOrganisation:
    """A reviewer creates a partner organisation. Checks the role and that the name is
    given and unique (case-insensitive); audits the creation. Locks nothing (the unique
    name check is advisory), publishes nothing."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers create partner organisations."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the organisation a name.")})
    if PartnerOrganisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    with transaction.atomic():
        org = PartnerOrganisation.objects.create(
            name=name, email_domain=_normalise_domain(email_domain)
        )
        audit_record(actor=actor, action="organisation.created", target=org, to_state=org.status)
    return org


def organisation_update(
    *, actor: User, organisation: PartnerOrganisation, name: str, email_domain: str, tier: str
) -> PartnerOrganisation:
    """A reviewer edits an organisation's name, e-mail domain and tier. A new name
    publishes ``organisation.renamed`` (boards show organisations by name). Locks the
    organisation's row; audits the change."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers edit partner organisations."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the organisation a name.")})
    with transaction.atomic():
        org = PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if PartnerOrganisation.objects.filter(name__iexact=name).exclude(pk=org.pk).exists():
            raise ValidationError({"name": _("An organisation with this name already exists.")})
        previous = org.name
        org.name, org.email_domain, org.tier = name, _normalise_domain(email_domain), tier or ""
        org.save(update_fields=["name", "email_domain", "tier"])
        audit_record(
            actor=actor,
            action="organisation.updated",
            target=org,
            from_state=previous,
            to_state=org.name,
        )
        if previous != org.name:
            publish(
                name="organisation.renamed",
                aggregate=org,
                payload={"organisation": org.pk, "from": previous},
            )
    return org


def organisation_set_status(
    *, actor: User, organisation: PartnerOrganisation, status: str, note: str = ""
) -> PartnerOrganisation:
    """A reviewer suspends or reactivates an organisation (or activates one that applied
    and waits in review). Checks the role and the status; locks the organisation's row;
    audits a change (none when the status is already ``status``) and publishes
    ``organisation.status_changed`` for it (networks makes an approved applicant the
    organisation's admin)."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers suspend or reactivate organisations."))
    if status not in PartnerOrganisation.Status.values:
        raise ValidationError(_("Unknown status."))
    with transaction.atomic():
        org = PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if org.status == status:
            return org
        previous, org.status = org.status, status
        org.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="organisation.status_changed",
            target=org,
            from_state=previous,
            to_state=status,
            note=note,
        )
        publish(
            name="organisation.status_changed",
            aggregate=org,
            payload={"organisation": org.pk, "from": previous, "to": status, "actor": actor.pk},
        )
    return org


def invitation_create(
    *, actor: User, organisation: PartnerOrganisation, email: str, as_admin: bool = False
) -> tuple[Invitation, str]:
    """Invite someone into a partner organisation. Returns the invitation and its token.

    The token exists only in the returned value and the e-mail sent on commit. Checks
    the actor may invite into the organisation and that the address is new and not the
    company's; audits it; locks nothing, publishes nothing.
    """
    if not can_invite_into(user=actor, organisation=organisation, as_admin=as_admin):
        raise PermissionDenied(_("You cannot invite people into this organisation."))
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Someone with this e-mail address already has an account.")}
        )
    domain = email.rsplit("@", 1)[-1]
    if domain in settings.COMPANY_EMAIL_DOMAINS:
        raise ValidationError(
            {"email": _("This is a company address: employees sign up themselves.")}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            as_admin=as_admin,
            token_hash=_hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        audit_record(
            actor=actor,
            action="invitation.created",
            target=invitation,
            to_state="pending",
            data={"organisation": organisation.pk, "as_admin": as_admin},
        )
        from .tasks import invitation_send

        transaction.on_commit(lambda: invitation_send.delay(invitation.pk, token))
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation whose link carries ``token``, or None. Read only."""
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=_hash_token(token))
        .first()
    )


def invitation_check_usable(*, invitation: Invitation | None) -> Invitation:
    """The invitation, when it can be used; else a ValidationError that tells the visitor
    why not (unknown, used, withdrawn, expired, organisation suspended). Locks nothing."""
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid. Ask for a new invitation."))
    state = invitation.state
    if state == "accepted":
        raise ValidationError(
            _("This invitation has already been used. Log in instead, or ask for a new one.")
        )
    if state == "revoked":
        raise ValidationError(_("This invitation was withdrawn. Ask your contact for a new one."))
    if state == "expired":
        raise ValidationError(_("This invitation has expired. Ask your contact to send a new one."))
    if not invitation.organisation.is_active:
        raise ValidationError(
            _("This organisation's account is suspended; the invitation cannot be used.")
        )
    return invitation


def invitation_accept(
    *, token: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the invited user in the invitation's organisation. Works once: checks the
    invitation before and again under the invitation's row lock, validates the password;
    marks the address verified and audits the acceptance. Publishes nothing."""
    with transaction.atomic():
        found = invitation_check_usable(invitation=invitation_for_token(token=token))
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        invitation_check_usable(
            invitation=invitation
        )  # again, under the lock: two clicks, one account
        probe = User(email=invitation.email, first_name=first_name, last_name=last_name)
        validate_password(password, user=probe)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email,
                    password=password,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    partner_organisation=invitation.organisation,
                    is_partner_admin=invitation.as_admin,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("Someone with this e-mail address already has an account.")
            ) from exc
        # The address received the link, so it is verified.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            action="invitation.accepted",
            target=invitation,
            from_state="pending",
            to_state="accepted",
        )
    return user


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation. Checks that the actor may invite into its
    organisation and that it is pending (under the invitation's row lock); audits it.
    Publishes nothing."""
    if not can_invite_into(
        user=actor, organisation=invitation.organisation, as_admin=invitation.as_admin
    ):
        raise PermissionDenied(_("You cannot withdraw this invitation."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "pending":
            raise ValidationError(_("Only a pending invitation can be withdrawn."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="invitation.revoked",
            target=invitation,
            from_state="pending",
            to_state="revoked",
        )
    return invitation


def partner_user_deactivate(*, actor: User, user: User) -> User:
    """A partner admin removes a user from their organisation (the account is deactivated,
    never deleted, so leads and audit history keep their author). Checks the actor is
    the user's partner admin or a reviewer, and not the user; locks the user's row;
    audits it. Publishes nothing."""
    if not (
        has_role(user=actor, roles=(Role.PARTNER_ADMIN,))
        and user.partner_organisation_id == actor.partner_organisation_id
    ) and not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("You cannot remove this user."))
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot remove yourself."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.deactivated",
            target=user,
            from_state="active",
            to_state="inactive",
        )
    return user


def partner_user_remove(*, actor: User, user: User) -> User:
    """A partner admin removes a member's account: it is deactivated (as
    ``partner_user_deactivate`` checks and audits) and its personal data erased: name,
    e-mail address (replaced by a placeholder nobody can log in with), password,
    confirmed addresses and second factors. The row stays, so the member's leads,
    points and commissions keep their counts and money records. Publishes
    ``user.renamed`` (boards drop the name); audits ``user.removed``. Locks the user."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user = partner_user_deactivate(actor=actor, user=user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.first_name = ""
        user.last_name = ""
        user.email = f"removed-{user.pk}@removed.invalid"
        user.show_initials_only = True
        user.set_unusable_password()
        user.save(
            update_fields=["first_name", "last_name", "email", "show_initials_only", "password"]
        )
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        audit_record(actor=actor, action="user.removed", target=user)
        publish(name="user.renamed", aggregate=user, payload={"user": user.pk})
    return user


def user_update_preferences(
    *, user: User, first_name: str, last_name: str, language: str, show_initials_only: bool
) -> User:
    """The user's own name, language and privacy choice. A change of how they appear
    (name, initials only) publishes ``user.renamed`` (boards keep display names). Locks
    nothing: only the user edits their own row."""
    before = (user.first_name, user.last_name, user.show_initials_only)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.language = language
    user.show_initials_only = show_initials_only
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["first_name", "last_name", "language", "show_initials_only"])
        if before != (user.first_name, user.last_name, user.show_initials_only):
            publish(name="user.renamed", aggregate=user, payload={"user": user.pk})
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language a user picked (footer picker): their pages and e-mails follow it.
    Checks it is one of the portal's languages; locks nothing, publishes nothing."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the portal's languages.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def email_domain_allowed_for_signup(*, email: str) -> bool:
    """Whether ``email`` is on one of the company's domains (employees sign up
    alone). Pure."""
    domain = email.strip().lower().rsplit("@", 1)[-1]
    return domain in settings.COMPANY_EMAIL_DOMAINS
