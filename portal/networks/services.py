# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reciprocal partners: the company sends leads to a partner (outbound), the partner
works them, and both sides keep to a quota per period.

An outbound lead obeys the rules of an inbound one: the same cleaning and normalisation
(``leads.normalise.lead_clean``), the program's consent text, the program's duplicate and
disposable-address rules, an audit record for every change and a domain event
(``outbound.sent``, ``outbound.status_changed``) that carries the points the program
gives for it; rewards subscribes and books them, so boards follow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import STAFF_GROUPS, Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.money import deal_value_clean
from portal.events.services import publish
from portal.leads.models import Program, RuleAction
from portal.leads.normalise import company_domain, email_domain, lead_clean, normalise_email
from portal.leads.retention import contact_data_erase, contact_data_erase_matching
from portal.leads.rules import disposable_domains
from portal.leads.selectors import program_check_open_to
from portal.leads.services import transition_check  # raises IllegalTransition (409), as for leads
from portal.notifications.services import notify

from .models import (
    OPEN_OUTBOUND,
    OutboundLead,
    OutboundStatus,
    ProgramNetworkOptions,
    ReciprocityReminder,
)
from .selectors import reciprocal_terms_for, reciprocity_balance


def _points(program: Program, status: str) -> int:
    options = ProgramNetworkOptions.objects.filter(program=program).first()
    if options is None:
        return 0
    if status == OutboundStatus.SENT:
        return options.outbound_points_sent
    if status == OutboundStatus.WON:
        return options.outbound_points_won
    return 0


def _about(outbound: OutboundLead) -> dict[str, Any]:
    return {
        "outbound": outbound.pk,
        "organisation": outbound.organisation_id,
        "sender": outbound.sender_id,
        "program": outbound.program_id,
    }


def _find_duplicate(outbound: OutboundLead) -> OutboundLead | None:
    """The earliest open or won outbound lead to the same partner about the same prospect
    (e-mail, phone or company domain) inside the program's attribution window."""
    match = Q()
    for field in ("email_normalised", "phone_e164", "company_domain"):
        if value := getattr(outbound, field):
            match |= Q(**{field: value})
    if not match:
        return None
    since = outbound.sent_at - timedelta(days=outbound.program.attribution_window_days)
    return (
        OutboundLead.objects.filter(
            match,
            organisation_id=outbound.organisation_id,
            status__in=[*OPEN_OUTBOUND, OutboundStatus.WON],
            sent_at__gte=since,
        )
        .order_by("sent_at", "pk")
        .first()
    )


def _quality(outbound: OutboundLead, organisation: PartnerOrganisation) -> list[dict[str, str]]:
    """The program's rules, applied to a lead we send: a rule set to reject refuses it
    (nothing is saved), one set to flag marks it. Returns the flags."""
    program = outbound.program
    findings: list[tuple[str, str, str]] = []
    domain = (organisation.email_domain or "").lower()
    if domain and domain in {outbound.company_domain, email_domain(outbound.email)}:
        # The partner's own people: not a prospect for them (self-referral's rule).
        findings.append(
            (
                "self_referral",
                program.rule_self_referral,
                _("This contact belongs to %(partner)s itself.") % {"partner": organisation.name},
            )
        )
    if program.rule_duplicate != RuleAction.OFF and (earlier := _find_duplicate(outbound)):
        findings.append(
            (
                "duplicate",
                program.rule_duplicate,
                _("This contact was already sent to %(partner)s on %(date)s.")
                % {
                    "partner": organisation.name,
                    "date": date_format(timezone.localtime(earlier.sent_at), "SHORT_DATE_FORMAT"),
                },
            )
        )
    address_domain = email_domain(outbound.email)
    if address_domain and address_domain in disposable_domains():
        findings.append(
            (
                "disposable_email",
                program.rule_disposable_email,
                _("%(domain)s is a disposable e-mail service; we need a real address.")
                % {"domain": address_domain},
            )
        )
    refusals = [message for _rule, action, message in findings if action == RuleAction.REJECT]
    if refusals:
        raise ValidationError(refusals)
    return [
        {"rule": rule, "action": action, "message": message}
        for rule, action, message in findings
        if action == RuleAction.FLAG
    ]


def outbound_send(
    *, sender: User, organisation: PartnerOrganisation, program: Program, data: dict[str, Any]
) -> OutboundLead:
    """An employee (or reviewer) passes a prospect to a reciprocal partner. Cleans and
    normalises the contact data as for inbound leads, applies the program's consent text
    and quality rules (a rejecting rule refuses: nothing is saved), audits it and
    publishes ``outbound.sent``. Locks nothing but the insert; the partner's members are
    told by the networks handler after commit."""
    if not has_role(user=sender, roles=(Role.EMPLOYEE,)):
        raise PermissionDenied(_("Only the company's employees send leads to partners."))
    now = timezone.now()
    if (
        not organisation.is_active
        or reciprocal_terms_for(organisation=organisation, at=now) is None
    ):
        raise ValidationError(
            {
                "organisation": [
                    _("%(partner)s is not a reciprocal partner.") % {"partner": organisation}
                ]
            }
        )
    program_check_open_to(program=program, user=sender)
    cleaned = lead_clean(data=data)
    with transaction.atomic():
        outbound = OutboundLead(
            organisation=organisation,
            sender=sender,
            program=program,
            name=cleaned["name"],
            email=cleaned["email"],
            phone=cleaned["phone"],
            company=cleaned["company"],
            notes=cleaned["notes"],
            email_normalised=normalise_email(cleaned["email"]),
            phone_e164=cleaned["phone_e164"],
            company_domain=company_domain(cleaned["email"], cleaned["company"]),
            consent=True,
            consent_text=program.consent_text,
            consent_at=now,
            sent_at=now,
            status_changed_at=now,
        )
        # Serialise senders to one partner, so two sends of one prospect cannot both pass.
        PartnerOrganisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
        outbound.flags = _quality(outbound, organisation)
        outbound.save()
        audit_record(
            actor=sender,
            action="outbound.sent",
            target=outbound,
            to_state=outbound.status,
            data={"organisation": organisation.pk, "flags": outbound.flags},
        )
        publish(
            name="outbound.sent",
            aggregate=outbound,
            payload={**_about(outbound), "points": _points(program, OutboundStatus.SENT)},
            occurred_at=now,
        )
    return outbound


S = OutboundStatus
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.SENT}), S.ACCEPTED),
    "win": (frozenset({S.SENT, S.ACCEPTED}), S.WON),
    "lose": (frozenset({S.SENT, S.ACCEPTED}), S.LOST),
}


def _transition(
    *, outbound: OutboundLead, actor: User, action: str, **changes: Any
) -> OutboundLead:
    allowed_from, to_status = TRANSITIONS[action]
    with transaction.atomic():
        locked = OutboundLead.objects.select_for_update().get(pk=outbound.pk)
        if actor.partner_organisation_id != locked.organisation_id or not actor.is_active:
            raise PermissionDenied(_("Only the partner this lead was sent to updates it."))
        transition_check(
            status=locked.status,
            allowed_from=allowed_from,
            erased=bool(locked.anonymised_at),
            statuses=S,
        )
        from_status, now = locked.status, timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action=f"outbound.{action}",
            target=locked,
            from_state=from_status,
            to_state=to_status,
            note=str(changes.get("lost_reason", "")),
            data={k: str(v) for k, v in changes.items()},
        )
        publish(
            name="outbound.status_changed",
            aggregate=locked,
            payload={
                **_about(locked),
                "from": from_status,
                "to": to_status,
                "actor": actor.pk,
                "deal_value": locked.deal_value,
                "deal_currency": locked.deal_currency,
                "points": _points(locked.program, to_status),
            },
            occurred_at=now,
        )
    outbound.refresh_from_db()
    return locked


def outbound_accept(*, outbound: OutboundLead, actor: User) -> OutboundLead:
    """The partner takes the lead on. A member of the receiving organisation only; locks
    the lead; publishes ``outbound.status_changed``."""
    return _transition(outbound=outbound, actor=actor, action="accept")


def outbound_mark_won(
    *, outbound: OutboundLead, actor: User, deal_value: Decimal | str, currency: str
) -> OutboundLead:
    """The partner won the deal, with its value. A member of the receiving organisation
    only; locks the lead; publishes ``outbound.status_changed``."""
    value, currency = deal_value_clean(value=deal_value, currency=currency)
    return _transition(
        outbound=outbound,
        actor=actor,
        action="win",
        deal_value=value,
        deal_currency=currency,
    )


def outbound_mark_lost(*, outbound: OutboundLead, actor: User, reason: str) -> OutboundLead:
    """The partner lost (or declined) the lead, saying why. A member of the receiving
    organisation only; locks the lead; publishes ``outbound.status_changed``."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the lead was lost; the sender will read it.")]}
        )
    if len(reason) > 300:
        raise ValidationError(
            {"reason": [_("Keep this field under %(n)s characters.") % {"n": 300}]}
        )
    return _transition(outbound=outbound, actor=actor, action="lose", lost_reason=reason)


def reciprocity_remind(*, now: datetime | None = None) -> int:
    """Tell the lagging side when one side of a reciprocal partnership is behind the
    other by ``RECIPROCITY_LAG_THRESHOLD`` leads in the current period: reviewers when
    the company sends too few, the partner's admins when the partner does. Once per
    partner, period and side (a unique record claims it). Returns reminders sent."""
    now = now or timezone.now()
    threshold = settings.RECIPROCITY_LAG_THRESHOLD
    sent = 0
    organisations = PartnerOrganisation.objects.filter(
        status=PartnerOrganisation.Status.ACTIVE, reciprocal_terms__isnull=False
    ).distinct()
    for organisation in organisations:
        balance = reciprocity_balance(organisation=organisation, at=now)
        if balance is None:
            continue
        lag = balance.received - balance.sent
        if lag >= threshold:
            side, recipients = ReciprocityReminder.Side.US, _reviewers()
        elif -lag >= threshold:
            side = ReciprocityReminder.Side.PARTNER
            recipients = list(organisation.users.filter(is_active=True, is_partner_admin=True))
        else:
            continue
        try:
            with transaction.atomic():
                ReciprocityReminder.objects.create(
                    organisation=organisation,
                    period_start=balance.span.start,
                    side=side,
                    sent_at=now,
                )
                for user in recipients:
                    notify(
                        user=user,
                        kind="reciprocity_lag",
                        context={
                            "partner": organisation.name,
                            "sent": balance.sent,
                            "received": balance.received,
                            "us_behind": side == ReciprocityReminder.Side.US,
                        },
                        url=reverse("networks:balance", args=[organisation.pk]),
                    )
        except IntegrityError:
            continue  # this period's reminder went out already
        sent += 1
    return sent


def _reviewers() -> list[User]:
    group = Group.objects.filter(name=STAFF_GROUPS[Role.REVIEWER]).first()
    return list(group.user_set.filter(is_active=True)) if group else []


def outbound_anonymise_expired(*, now: datetime | None = None) -> int:
    """The retention of inbound leads, applied to outbound ones: contact data of lost
    leads is erased ``LEAD_RETENTION_DAYS`` after they closed, of the others
    ``LEAD_RETENTION_DAYS_ACTIVE`` after their last status change. The rows stay (counts,
    deal values, balances). Locks the expired rows; audits each."""
    now = now or timezone.now()
    periods = [
        ([OutboundStatus.LOST], settings.LEAD_RETENTION_DAYS),
        ([*OPEN_OUTBOUND, OutboundStatus.WON], settings.LEAD_RETENTION_DAYS_ACTIVE),
    ]
    total = 0
    with transaction.atomic():
        for statuses, days in periods:
            ids = list(
                OutboundLead.objects.select_for_update()
                .filter(
                    status__in=statuses,
                    status_changed_at__lt=now - timedelta(days=days),
                    anonymised_at__isnull=True,
                )
                .values_list("pk", flat=True)
            )
            contact_data_erase(
                model=OutboundLead,
                ids=ids,
                now=now,
                actor=None,
                action="outbound.anonymised",
                note=_("Contact details erased after the retention period."),
            )
            total += len(ids)
    return total


def outbound_erase_person(*, actor: User, email_key: str, phone_key: str, now: datetime) -> int:
    """A person asked to be forgotten (``leads.retention.person_erase``, which checked the
    reviewer and normalised the keys): every outbound lead with their e-mail or phone
    number loses its contact data, as inbound leads do. Call inside that transaction;
    locks the leads; audits each (``outbound.erased_on_request``). Returns how many."""
    ids = contact_data_erase_matching(
        model=OutboundLead,
        email_key=email_key,
        phone_key=phone_key,
        now=now,
        actor=actor,
        action="outbound.erased_on_request",
    )
    return len(ids)
