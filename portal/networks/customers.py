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
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import STAFF_GROUPS, Role
from portal.audit.services import audit_record
from portal.leads.models import Lead, LeadStatus
from portal.leads.normalise import normalise_email
from portal.leads.referrals import referral_link_for
from portal.notifications.services import notify

from .models import CustomerInvitation, PartnerApplication, ProgramNetworkOptions


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


def partner_path_offered(*, user: User) -> bool:
    """Whether this customer may apply to become a formal partner: won deals referred at
    least ``PARTNER_PATH_WON_DEALS`` (not reversed), and no application yet. Read only."""
    if not user.is_customer or PartnerApplication.objects.filter(applicant=user).exists():
        return False
    return _won_deals(user) >= settings.PARTNER_PATH_WON_DEALS


def _won_deals(user: User) -> int:
    return Lead.objects.filter(
        referrer=user, status=LeadStatus.WON, deal_reversed_at__isnull=True
    ).count()


def partner_application_submit(*, user: User, name: str, email_domain: str) -> PartnerApplication:
    """A customer with enough won deals applies to be a formal partner: the organisation
    is created in review (it cannot refer until a reviewer activates it), reviewers are
    told, the application is audited. Once per person (a unique row); locks the user's
    row. Publishes nothing."""
    name, email_domain = (name or "").strip(), (email_domain or "").strip().lower().lstrip("@")
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 200:
        errors["name"] = [_("Enter your organisation's name.")]
    elif PartnerOrganisation.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("An organisation with this name already exists.")]
    if email_domain and (len(email_domain) > 253 or "." not in email_domain or " " in email_domain):
        errors["email_domain"] = [_("Enter a domain such as example.com.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not partner_path_offered(user=locked):
            raise PermissionDenied(_("The partner path is not open to you yet."))
        organisation = PartnerOrganisation.objects.create(
            name=name,
            email_domain=email_domain,
            status=PartnerOrganisation.Status.IN_REVIEW,
        )
        application = PartnerApplication.objects.create(
            applicant=locked, organisation=organisation, won_deals=_won_deals(locked)
        )
        audit_record(
            actor=locked,
            action="partner.applied",
            target=organisation,
            to_state=PartnerOrganisation.Status.IN_REVIEW,
            data={"won_deals": application.won_deals},
        )
        group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
        for reviewer in group.user_set.filter(is_active=True) if group else []:
            notify(
                user=reviewer,
                kind="partner_application",
                context={"organisation": organisation.name, "applicant": locked.display_name},
                url=reverse("accounts:partner_list"),
            )
    return application


def partner_application_admit(*, organisation_id: int, actor_id: int | None = None) -> User | None:
    """A reviewer activated the organisation a customer applied for: the applicant
    becomes its partner admin (no longer a customer), so partner pages open to them and
    customer pages close, and they are told (``partner_admitted``). Once: an applicant
    who is no longer a customer is left alone, and so is an organisation that is not
    active (any more). Locks the applicant's row; audits the role change
    (``user.role_changed``, by the reviewer). Publishes nothing.
    Returns the applicant when they were admitted now."""
    with transaction.atomic():
        application = (
            PartnerApplication.objects.select_related("organisation")
            .filter(organisation_id=organisation_id)
            .first()
        )
        if application is None or not application.organisation.is_active:
            return None
        applicant = User.objects.select_for_update().get(pk=application.applicant_id)
        if not applicant.is_customer or applicant.partner_organisation_id:
            return None
        applicant.is_customer = False
        applicant.partner_organisation_id = organisation_id
        applicant.is_partner_admin = True
        applicant.save(update_fields=["is_customer", "partner_organisation", "is_partner_admin"])
        audit_record(
            actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
            action="user.role_changed",
            target=applicant,
            from_state=Role.CUSTOMER,
            to_state=Role.PARTNER_ADMIN,
            data={"organisation": organisation_id},
        )
        notify(
            user=applicant,
            kind="partner_admitted",
            context={"organisation": application.organisation.name},
            url=reverse("dashboards:organisation"),
        )
    return applicant
