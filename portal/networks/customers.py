# SPDX-License-Identifier: AGPL-3.0-or-later
"""Customers who become referrers: a won lead's contact is invited, once, to refer in
turn (when the program says so), and signs up in one step from the e-mail as a customer
account with its own referral link and points."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.leads.models import Lead, LeadStatus
from portal.leads.normalise import normalise_email
from portal.leads.referrals import referral_link_for

from .models import CustomerInvitation, ProgramNetworkOptions


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def customer_invitation_create(*, lead: Lead) -> tuple[CustomerInvitation, str] | None:
    """Invite a won lead's contact to refer, when its program invites won customers.
    Once per lead (a unique row) and once per address; never someone who already has an
    account, nor a lead without an address or with erased details. The e-mail leaves
    after commit with the only copy of the token. Locks nothing; publishes nothing."""
    options = ProgramNetworkOptions.objects.filter(program_id=lead.program_id).first()
    email = normalise_email(lead.email)
    if (
        options is None
        or not options.invite_won_customers
        or lead.status != LeadStatus.WON
        or lead.anonymised_at
        or not email
        or User.objects.filter(email__iexact=email).exists()
        or CustomerInvitation.objects.filter(email__iexact=email).exists()
    ):
        return None
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = CustomerInvitation.objects.create(
                lead=lead,
                email=email,
                first_name=(lead.name or "").split(" ")[0][:150],
                language=lead.language,
                token_hash=_hash(token),
                created_at=now,
                expires_at=now + timedelta(days=settings.CUSTOMER_INVITATION_TTL_DAYS),
            )
            audit_record(actor=None, action="customer.invited", target=lead, to_state="invited")
    except IntegrityError:
        return None  # this lead's invitation exists already
    from .tasks import customer_invitation_send

    transaction.on_commit(lambda: customer_invitation_send.delay(invitation.pk, token))
    return invitation, token


def customer_invitation_for_token(*, token: str) -> CustomerInvitation | None:
    """The invitation whose link carries ``token``, while it can be used. Read only."""
    invitation = CustomerInvitation.objects.filter(token_hash=_hash(token or "")).first()
    if invitation is None or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return None
    return invitation


def customer_signup(*, token: str, password: str, first_name: str, last_name: str = "") -> User:
    """Create the customer account of an invitation: the address is verified (it received
    the link), the referral link is made. Works once, under the invitation's row lock;
    validates the password; audits it. Publishes nothing."""
    with transaction.atomic():
        found = customer_invitation_for_token(token=token)
        invitation = (
            CustomerInvitation.objects.select_for_update().filter(pk=found.pk).first()
            if found
            else None
        )
        if invitation is None or invitation.accepted_at:
            raise ValidationError(_("This invitation has been used or has expired."))
        probe = User(email=invitation.email, first_name=first_name, last_name=last_name)
        validate_password(password, user=probe)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email,
                    password=password,
                    first_name=first_name.strip()[:150],
                    last_name=last_name.strip()[:150],
                    language=invitation.language,
                    is_customer=True,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("Someone with this e-mail address already has an account.")
            ) from exc
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user, action="customer.signed_up", target=invitation, to_state="accepted"
        )
        referral_link_for(user=user)
    return user
