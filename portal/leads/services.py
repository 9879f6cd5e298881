# SPDX-License-Identifier: AGPL-3.0-or-later
"""The lead lifecycle (SPEC §3): submission with quality rules and attribution, review
transitions, conflict resolution, referral links, import and retention.

Leads knows only leads. Every change of state locks the lead's row, writes an audit event
and publishes a domain event in the same transaction: ``lead.submitted``,
``lead.status_changed`` (from, to, actor, note) and ``lead.deal_reversed``. What follows —
points, tiers, badges, commissions, boards, webhooks, the submitter's notifications — is
done by the apps that subscribe (their ``handlers.py``), after commit. Rule violations
raise ``ValidationError`` (bad input, illegal transition: nothing changes) or
``PermissionDenied``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_event_build, audit_record
from portal.core.money import deal_value_clean
from portal.core.sql import pk_or_pending, rows_insert
from portal.events.services import event_build, event_published, publish

from . import rules
from .models import (
    CONTENDING_STATUSES,
    Lead,
    LeadSource,
    LeadStatus,
    Program,
    ReferralLink,
    RejectionReason,
    RuleAction,
)
from .normalise import company_domain, lead_clean, normalise_email
from .selectors import program_check_open_to


class IllegalTransition(ValidationError):
    """The lead is not in a state this action applies to (HTTP 409 in the API)."""


# --- Submission -----------------------------------------------------------------------


def _lock_attribution_keys(lead: Lead) -> None:
    """Serialise submissions for the same prospect so two at once cannot both win."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises every write anyway
    keys = sorted(k for k in (lead.email_normalised, lead.phone_e164, lead.company_domain) if k)
    if not keys:
        return
    digests = [
        int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big", signed=True) for k in keys
    ]
    with connection.cursor() as cursor:
        # One round trip; sorted keys, so two submissions never wait on each other in a cycle.
        cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(digests)), digests)


def lead_submit(
    *,
    referrer: User,
    program: Program,
    data: dict[str, Any],
    source: str = LeadSource.FORM,
    referral_link: ReferralLink | None = None,
    actor: User | None = None,
    client_print: dict[str, Any] | None = None,
) -> Lead:
    """Create a lead, run the quality rules and attribution, audit it and publish
    ``lead.submitted``. ``actor`` is who entered it when that is not the referrer (a
    reviewer's import). ``client_print`` is where a referral-page submission came from
    (``client_fingerprint``'s keyed hashes and user agent, ``seconds_after_visit``): it
    travels in the event, for whoever subscribes to keep it (fraud review).

    Locks the referrer's row when the program caps submissions per day, and (PostgreSQL)
    advisory locks on the prospect's e-mail, phone and domain, so two submissions for one
    prospect serialise. Points, notifications and webhooks follow from the event."""
    program_check_open_to(program=program, user=referrer)
    cleaned = lead_clean(data=data)
    now = timezone.now()
    with transaction.atomic():
        if program.rule_daily_cap != RuleAction.OFF:
            # One referrer's submissions queue behind each other: the daily count stays true.
            User.objects.select_for_update().only("pk").get(pk=referrer.pk)
        lead = Lead(
            program=program,
            referrer=referrer,
            organisation_id=referrer.partner_organisation_id,
            name=cleaned["name"],
            email=cleaned["email"],
            phone=cleaned["phone"],
            company=cleaned["company"],
            notes=cleaned["notes"],
            email_normalised=normalise_email(cleaned["email"]),
            phone_e164=cleaned["phone_e164"],
            company_domain=company_domain(cleaned["email"], cleaned["company"]),
            consent=True,
            consent_text=program.consent_text,  # as the prospect read it, in their language
            consent_at=now,
            language=translation.get_language() if source == LeadSource.LINK else "",
            source=source,
            referral_link=referral_link,
            submitted_at=now,
            status_changed_at=now,
        )
        _lock_attribution_keys(lead)
        findings, conflict = rules.evaluate(lead=lead, referrer=referrer)
        lead.conflict_with = conflict
        lead.flags = [
            {"rule": f.rule, "action": f.action, "message": f.message, "language": f.language}
            for f in findings
        ]
        rejecting = next((f for f in findings if f.action == RuleAction.REJECT), None)
        if rejecting:
            lead.status = LeadStatus.REJECTED
            lead.rejection_reason = rejecting.reason
            lead.status_note = rejecting.message
        audit = audit_event_build(
            actor=actor or referrer,
            action="lead.submitted",
            target=lead,
            to_state=lead.status,
            note=lead.status_note,
            data={"source": source, "flags": lead.flags},
        )
        event = event_build(
            name="lead.submitted",
            aggregate=lead,
            payload={
                **_about(lead),
                "status": lead.status,
                "source": source,
                "actor": (actor or referrer).pk,
                **({"client": client_print} if client_print else {}),
            },
            occurred_at=now,
        )
        # The lead, its audit record and its outbox row: one statement on PostgreSQL.
        rows_insert(lead, audit, event)
        event_published(event=event)
    return lead


def _about(lead: Lead) -> dict[str, Any]:
    """What every lead event says about its lead, so handlers need not guess."""
    return {
        "lead": pk_or_pending(lead),  # a new lead's key once written (lead_submit)
        "program": lead.program_id,
        "referrer": lead.referrer_id,
        "organisation": lead.organisation_id,
    }


# --- Transitions ------------------------------------------------------------------------

S = LeadStatus
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start_review": (frozenset({S.SUBMITTED}), S.IN_REVIEW),
    "qualify": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.QUALIFIED),
    "reject": (frozenset({S.SUBMITTED, S.IN_REVIEW, S.QUALIFIED}), S.REJECTED),
    "win": (frozenset({S.QUALIFIED}), S.WON),
    "lose": (frozenset({S.IN_REVIEW, S.QUALIFIED}), S.LOST),
    "withdraw": (frozenset({S.SUBMITTED}), S.WITHDRAWN),
}


def transition_check(
    *,
    status: str,
    allowed_from: Iterable[str],
    erased: bool,
    statuses: type[models.TextChoices] = S,
) -> None:
    """Refuse a status change the lifecycle does not allow, saying why: a lead whose
    contact data was erased never changes, and the change needs one of ``allowed_from``.
    ``statuses`` names the states (inbound leads' by default; outbound leads pass theirs).
    Pure; raises ``IllegalTransition``."""
    if erased:
        raise IllegalTransition(_("This lead's details were erased; it can no longer change."))
    if status not in allowed_from:
        raise IllegalTransition(
            _("This lead is %(status)s; that is possible only when it is %(allowed)s.")
            % {
                "status": str(statuses(status).label).lower(),
                "allowed": _(" or ").join(
                    str(statuses(s).label).lower() for s in sorted(allowed_from)
                ),
            }
        )


def _check_actor(actor: User, lead: Lead, action: str) -> None:
    if action == "withdraw":
        if lead.referrer_id != actor.pk:
            raise PermissionDenied(_("Only the person who submitted a lead can withdraw it."))
        return
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers can change a lead's status."))
    if lead.referrer_id == actor.pk:
        raise PermissionDenied(_("You cannot review a lead you submitted yourself."))


def _check_conflict(lead: Lead) -> None:
    """Nothing pays twice for one prospect: a lead whose prospect someone else submitted
    first (still contending) is qualified only after a reviewer resolves the conflict."""
    if lead.conflict_with_id is None:
        return
    earlier = (
        Lead.objects.filter(pk=lead.conflict_with_id, status__in=CONTENDING_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )
    if earlier is not None:
        raise IllegalTransition(
            _(
                "This prospect was referred first in lead #%(id)s. Resolve the conflict "
                "before qualifying this lead: the earliest referral wins unless you choose "
                "otherwise."
            )
            % {"id": earlier}
        )


def _transition(*, lead: Lead, actor: User, action: str, note: str = "", **changes: Any) -> Lead:
    """Move the lead along the lifecycle under its row lock, audit it and publish
    ``lead.status_changed``."""
    allowed_from, to_status = TRANSITIONS[action]
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        _check_actor(actor, locked, action)
        transition_check(
            status=locked.status, allowed_from=allowed_from, erased=bool(locked.anonymised_at)
        )
        if to_status == S.QUALIFIED:
            _check_conflict(locked)
        from_status = locked.status
        now = timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.status_note = note
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action=f"lead.{action}",
            target=locked,
            from_state=from_status,
            to_state=to_status,
            note=note,
            data={k: str(v) for k, v in changes.items()},
        )
        publish(
            name="lead.status_changed",
            aggregate=locked,
            payload={
                **_about(locked),
                "from": from_status,
                "to": to_status,
                "action": action,
                "actor": actor.pk,
                "note": note,
                "deal_value": locked.deal_value,
                "deal_currency": locked.deal_currency,
            },
            occurred_at=now,
        )
    lead.refresh_from_db()
    return locked


def lead_start_review(*, lead: Lead, actor: User) -> Lead:
    """A reviewer takes a submitted lead. Locks the lead; publishes lead.status_changed."""
    return _transition(lead=lead, actor=actor, action="start_review")


def lead_qualify(*, lead: Lead, actor: User, note: str = "") -> Lead:
    """A reviewer qualifies a lead (refused while an earlier referral of the same prospect
    contends). Locks the lead; publishes lead.status_changed."""
    return _transition(lead=lead, actor=actor, action="qualify", note=note)


def lead_reject(*, lead: Lead, actor: User, reason: str, note: str = "") -> Lead:
    """A reviewer rejects a lead, with a reason the submitter reads. What it earned is
    reversed by rewards and payouts. Locks the lead; publishes lead.status_changed."""
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": [_("Choose a reason for the rejection.")]})
    return _transition(lead=lead, actor=actor, action="reject", note=note, rejection_reason=reason)


def lead_mark_won(
    *, lead: Lead, actor: User, deal_value: Decimal | str, currency: str, note: str = ""
) -> Lead:
    """A reviewer (or a CRM) marks a qualified lead won, with its deal value. Locks the
    lead; publishes lead.status_changed."""
    value, currency = deal_value_clean(value=deal_value, currency=currency)
    return _transition(
        lead=lead,
        actor=actor,
        action="win",
        note=note,
        deal_value=value,
        deal_currency=currency,
    )


def lead_mark_lost(*, lead: Lead, actor: User, reason: str) -> Lead:
    """A reviewer marks a lead lost, saying why. Locks the lead; publishes
    lead.status_changed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the lead was lost; the submitter will read it.")]}
        )
    return _transition(lead=lead, actor=actor, action="lose", note=reason, lost_reason=reason)


def lead_withdraw(*, lead: Lead, actor: User, note: str = "") -> Lead:
    """The submitter withdraws a lead before review. Locks the lead; publishes
    lead.status_changed."""
    return _transition(lead=lead, actor=actor, action="withdraw", note=note)


def lead_reverse_deal(*, lead: Lead, actor: User | None, reason: str) -> Lead:
    """A won deal was refunded or charged back. The lead stays won, marked reversed; payouts
    reverses its commissions and rewards its won points (they subscribe). Locks the lead;
    publishes lead.deal_reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the deal was reversed.")]})
    if actor is not None and not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers reverse deals."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status != S.WON:
            raise IllegalTransition(_("Only a won deal can be reversed."))
        if locked.deal_reversed_at:
            raise IllegalTransition(_("This deal was already reversed."))
        now = timezone.now()
        locked.deal_reversed_at = now
        locked.status_note = reason
        locked.save(update_fields=["deal_reversed_at", "status_note"])
        audit_record(
            actor=actor,
            action="lead.deal_reversed",
            target=locked,
            from_state=S.WON,
            to_state=S.WON,
            note=reason,
        )
        publish(
            name="lead.deal_reversed",
            aggregate=locked,
            payload={**_about(locked), "actor": actor.pk if actor else None, "reason": reason},
            occurred_at=now,
        )
    return locked


def _duplicate_note(*, rejected: Lead, kept: Lead) -> str:
    """What the rejected lead's referrer reads: the kept lead's number only inside their
    own organisation (``rules.duplicate_disclosed``)."""
    if rules.duplicate_disclosed(lead=rejected, earlier=kept):
        return _("Duplicate of lead #%(id)s, which was referred first or chosen by a reviewer.") % {
            "id": kept.pk
        }
    return _("This contact is already known to us: another referral was chosen.")


def lead_conflict_resolve(*, actor: User, keep: Lead, reject: Lead, note: str = "") -> Lead:
    """A reviewer decides a conflict: ``reject`` becomes a duplicate pointing at ``keep``,
    and ``keep`` may then be qualified. Locks both leads; publishes the rejection."""
    linked = reject.conflict_with_id == keep.pk or keep.conflict_with_id == reject.pk
    if not linked or keep.pk == reject.pk:
        raise ValidationError(_("These two leads are not in conflict with each other."))
    with transaction.atomic():
        keep_locked, reject_locked = (
            Lead.objects.select_for_update().get(pk=keep.pk),
            Lead.objects.select_for_update().get(pk=reject.pk),
        )
        reject_locked.conflict_with = keep_locked
        reject_locked.save(update_fields=["conflict_with"])
        rejected = _transition(
            lead=reject_locked,
            actor=actor,
            action="reject",
            note=note or _duplicate_note(rejected=reject_locked, kept=keep_locked),
            rejection_reason=RejectionReason.DUPLICATE,
        )
        if keep_locked.conflict_with_id == reject.pk:
            keep_locked.conflict_with = None
            keep_locked.save(update_fields=["conflict_with"])
        audit_record(
            actor=actor,
            action="lead.conflict_resolved",
            target=keep_locked,
            note=note,
            data={"rejected": reject.pk},
        )
    return rejected
