# SPDX-License-Identifier: AGPL-3.0-or-later
"""Partners who recruit partners: a partner admin's signed recruitment link, the invited
company's application (an organisation in review recorded with its recruiter), a
reviewer's decision, and the recruiter's reward (flat once on approval, or a percentage
of the recruit's commissions for some months, each earned once: the commission's
``source``). One level only, and never oneself."""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import STAFF_GROUPS, Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.money import money
from portal.events.services import publish
from portal.leads.normalise import normalise_email
from portal.notifications.services import notify
from portal.payouts.models import Commission, CommissionEvent
from portal.payouts.services import bonus_commission_add, source_commission_reverse

from .models import PartnerRecruitment

SALT = "networks.recruitment"


def recruitment_token(*, actor: User) -> str:
    """The signed token of the actor's organisation's recruitment link. Only a partner
    admin of an active organisation that was not itself recruited gets one (one level).
    Pure apart from the checks; locks nothing, publishes nothing."""
    if not has_role(user=actor, roles=(Role.PARTNER_ADMIN,)) or not actor.partner_organisation_id:
        raise PermissionDenied(_("Only partner admins can recruit partners."))
    organisation = actor.partner_organisation
    assert organisation is not None
    _may_recruit(organisation)
    return signing.dumps({"org": organisation.pk}, salt=SALT)


def _may_recruit(organisation: PartnerOrganisation) -> None:
    if not organisation.is_active:
        raise PermissionDenied(_("Only an active partner organisation can recruit partners."))
    if PartnerRecruitment.objects.filter(organisation=organisation).exists():
        raise PermissionDenied(
            _("An organisation that was itself recruited cannot recruit partners.")
        )


def recruiter_for_token(*, token: str) -> PartnerOrganisation | None:
    """The recruiting organisation a link's token names, or None when it was tampered
    with or names no organisation. Read only."""
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("org"), int):
        return None
    return PartnerOrganisation.objects.filter(pk=data["org"]).first()


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def recruitment_apply(
    *, token: str, company: str, email_domain: str, contact_name: str, contact_email: str
) -> PartnerRecruitment:
    """An invited company applies through a recruitment link: the organisation is created
    in review, recorded with its recruiter; reviewers are told; audited. Refused, with
    nothing saved: a tampered link, a recruiter that was itself recruited, and
    self-recruitment (the applicant's e-mail domain or domain is the recruiter's, or one
    of its members'; the address belongs to someone with an account). Locks the
    recruiter's row. Publishes nothing."""
    recruiter = recruiter_for_token(token=token)
    if recruiter is None:
        raise PermissionDenied(_("This recruitment link is not valid."))
    company = (company or "").strip()
    email_domain = (email_domain or "").strip().lower().lstrip("@")
    contact_name = (contact_name or "").strip()
    email = normalise_email(contact_email or "")
    errors: dict[str, list[str]] = {}
    if not company or len(company) > 200:
        errors["company"] = [_("Enter your organisation's name.")]
    elif PartnerOrganisation.objects.filter(name__iexact=company).exists():
        errors["company"] = [_("An organisation with this name already exists.")]
    if email_domain and (len(email_domain) > 253 or "." not in email_domain or " " in email_domain):
        errors["email_domain"] = [_("Enter a domain such as example.com.")]
    if not contact_name or len(contact_name) > 200:
        errors["contact_name"] = [_("Enter the contact person's name.")]
    if not email or "@" not in email:
        errors["contact_email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recruiter = PartnerOrganisation.objects.select_for_update().get(pk=recruiter.pk)
        _may_recruit(recruiter)
        own = {recruiter.email_domain.lower()} | {
            _domain_of(e) for e in recruiter.users.values_list("email", flat=True)
        }
        own.discard("")
        if (
            _domain_of(email) in own
            or (email_domain and email_domain in own)
            or User.objects.filter(email__iexact=email).exists()
        ):
            raise ValidationError(
                _("A partner cannot recruit itself: this company or person is already theirs.")
            )
        organisation = PartnerOrganisation.objects.create(
            name=company, email_domain=email_domain, status=PartnerOrganisation.Status.IN_REVIEW
        )
        recruitment = PartnerRecruitment.objects.create(
            organisation=organisation,
            recruited_by=recruiter,
            contact_name=contact_name,
            contact_email=email,
        )
        audit_record(
            actor=None,
            action="partner.recruited",
            target=organisation,
            to_state=PartnerOrganisation.Status.IN_REVIEW,
            data={"recruited_by": recruiter.pk},
        )
        group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
        for reviewer in group.user_set.filter(is_active=True) if group else []:
            notify(
                user=reviewer,
                kind="partner_application",
                context={
                    "organisation": organisation.name,
                    "applicant": contact_name,
                    "recruited_by": recruiter.name,
                },
                url=reverse("networks:recruitment_list"),
            )
    return recruitment


def recruitment_decide(
    *, actor: User, recruitment: PartnerRecruitment, approve: bool
) -> PartnerRecruitment:
    """A reviewer approves (the organisation becomes active) or declines (it stays out of
    the portal) a recruited organisation's application, once. Locks the recruitment's
    row; audits it; tells the recruiter's admins; publishes ``partner.recruitment_approved``
    when approved (the flat reward follows it)."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers decide on partner applications."))
    with transaction.atomic():
        locked = PartnerRecruitment.objects.select_for_update().get(pk=recruitment.pk)
        if locked.decision != PartnerRecruitment.Decision.PENDING:
            raise ValidationError(_("This application has already been decided."))
        organisation = PartnerOrganisation.objects.select_for_update().get(
            pk=locked.organisation_id
        )
        locked.decision = (
            PartnerRecruitment.Decision.APPROVED
            if approve
            else PartnerRecruitment.Decision.DECLINED
        )
        locked.decided_at, locked.decided_by = timezone.now(), actor
        locked.save(update_fields=["decision", "decided_at", "decided_by"])
        previous = organisation.status
        organisation.status = (
            PartnerOrganisation.Status.ACTIVE if approve else PartnerOrganisation.Status.SUSPENDED
        )
        organisation.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="organisation.status_changed",
            target=organisation,
            from_state=previous,
            to_state=organisation.status,
            note=locked.get_decision_display(),
        )
        for admin in locked.recruited_by.users.filter(is_active=True, is_partner_admin=True):
            notify(
                user=admin,
                kind="partner_recruitment",
                context={"organisation": organisation.name, "decision": locked.decision},
                url=reverse("networks:recruitment_link"),
            )
        if approve:
            publish(
                name="partner.recruitment_approved",
                aggregate=locked,
                payload={"recruitment": locked.pk},
            )
    return locked


def _months_after(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _label(recruitment: PartnerRecruitment) -> str:
    return _("Recruitment reward: %(org)s") % {"org": recruitment.organisation.name}


def recruitment_flat_reward(*, recruitment_id: int) -> Commission | None:
    """The flat reward of an approved recruitment, when the reward is flat: once (its
    source). Locks nothing; audited by payouts. Publishes nothing."""
    recruitment = (
        PartnerRecruitment.objects.select_related("organisation")
        .filter(pk=recruitment_id, decision=PartnerRecruitment.Decision.APPROVED)
        .first()
    )
    if recruitment is None or settings.RECRUITMENT_REWARD_KIND != "flat":
        return None
    return bonus_commission_add(
        source=f"recruit-flat:{recruitment.pk}",
        event=CommissionEvent.RECRUITMENT,
        amount=Decimal(settings.RECRUITMENT_REWARD_AMOUNT),
        currency=settings.RECRUITMENT_REWARD_CURRENCY,
        basis=_label(recruitment),
        payee_org_id=recruitment.recruited_by_id,
    )


def recruitment_percent_reward(
    *, commission_id: int, at: datetime | None = None
) -> Commission | None:
    """The recruiter's share of one commission its recruit earned, when the reward is a
    percentage and the commission was created within the months after approval: once
    per commission (source ``recruit:<id>``). Locks nothing; audited by payouts.
    Publishes nothing."""
    if settings.RECRUITMENT_REWARD_KIND != "percent":
        return None
    commission = Commission.objects.filter(pk=commission_id, amount__gt=0).first()
    if commission is None or commission.payee_org_id is None:
        return None
    recruitment = (
        PartnerRecruitment.objects.select_related("organisation")
        .filter(
            organisation_id=commission.payee_org_id,
            decision=PartnerRecruitment.Decision.APPROVED,
        )
        .first()
    )
    if recruitment is None or recruitment.decided_at is None:
        return None
    ends = _months_after(recruitment.decided_at, settings.RECRUITMENT_REWARD_MONTHS)
    if not (recruitment.decided_at <= commission.created_at < ends):
        return None
    amount = money(commission.amount * Decimal(settings.RECRUITMENT_REWARD_PERCENT) / 100)
    return bonus_commission_add(
        source=f"recruit:{commission.pk}",
        event=CommissionEvent.RECRUITMENT,
        amount=amount,
        currency=commission.currency,
        basis=_label(recruitment),
        payee_org_id=recruitment.recruited_by_id,
        at=at,
    )


def recruitment_reward_reverse(
    *, commission_id: int, at: datetime | None = None
) -> Commission | None:
    """The underlying commission was reversed: so is the recruitment reward it earned
    (cancelled, or clawed back once batched). Once. Locks and audits through payouts."""
    return source_commission_reverse(
        source=f"recruit:{commission_id}",
        actor=None,
        reason=_("commission #%(id)s was reversed") % {"id": commission_id},
        at=at,
    )
