# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review: detectors look at each new lead across leads; each finding opens a case
with its evidence (or adds the lead to the open case of the same finding). While a case
is open, the points and commissions of its leads are held: rewards and payouts subscribe
to ``fraud.leads_held`` and ``fraud.case_decided``. A reviewer clears a case (everything
is released) or confirms it (the leads are rejected, or a won deal reversed, through the
lead services, so the existing reversals take back their points and commissions).

Thresholds are settings (``FRAUD_*``); every decision is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.events.services import publish
from portal.leads.models import Lead, LeadStatus

from .models import CaseStatus, Detector, FraudCase, SubmissionPrint


def submission_print_record(
    *,
    lead: Lead,
    address: str,
    network: str,
    device: str,
    user_agent: str,
    seconds_after_visit: int | None,
    detect: bool = True,
) -> SubmissionPrint:
    """Keep where a referral-link submission came from (keyed hashes from
    ``client_fingerprint``), then run the detectors on the lead (``detect=False``: the
    caller runs them, ``fraud_detect_many``). Once per lead (one-to-one). Locks nothing;
    what the detectors find publishes ``fraud.leads_held``."""
    fingerprint, _created = SubmissionPrint.objects.get_or_create(
        lead=lead,
        defaults={
            "address": address,
            "network": network,
            "device": device,
            "user_agent": (user_agent or "")[:200],
            "seconds_after_visit": None
            if seconds_after_visit is None
            else max(0, seconds_after_visit),
        },
    )
    if detect:
        fraud_detect(lead=lead)
    return fingerprint


# --- Detectors ---------------------------------------------------------------------------


def _window_start(lead: Lead) -> datetime:
    return lead.submitted_at - timedelta(days=settings.FRAUD_WINDOW_DAYS)


def detect_shared_client(
    *, lead: Lead, fingerprint: SubmissionPrint | None
) -> list[dict[str, Any]]:
    """Leads from one client address, device or network for at least
    FRAUD_SHARED_CLIENT_REFERRERS different referrers (within the window)."""
    own = fingerprint
    if own is None:
        return []
    findings = []
    for field in ("address", "device", "network"):
        value = getattr(own, field)
        if not value:
            continue
        prints = SubmissionPrint.objects.filter(
            **{field: value}, lead__submitted_at__gte=_window_start(lead)
        ).select_related("lead")
        referrers = {p.lead.referrer_id for p in prints}
        if len(referrers) >= settings.FRAUD_SHARED_CLIENT_REFERRERS:
            findings.append(
                {
                    "detector": Detector.SHARED_CLIENT,
                    "key": f"shared_client:{field}:{value[:16]}",
                    "leads": sorted(p.lead_id for p in prints),
                    "evidence": {
                        "field": field,
                        "referrers": len(referrers),
                        "threshold": settings.FRAUD_SHARED_CLIENT_REFERRERS,
                    },
                }
            )
            break  # the narrowest shared trait is evidence enough
    return findings


def detect_burst(*, lead: Lead, fingerprint: SubmissionPrint | None) -> list[dict[str, Any]]:
    """At least FRAUD_BURST_COUNT leads by one referrer within FRAUD_BURST_MINUTES."""
    since = lead.submitted_at - timedelta(minutes=settings.FRAUD_BURST_MINUTES)
    burst = list(
        Lead.objects.filter(
            referrer_id=lead.referrer_id,
            submitted_at__gt=since,
            submitted_at__lte=lead.submitted_at,
        ).values_list("pk", flat=True)
    )
    if len(burst) < settings.FRAUD_BURST_COUNT:
        return []
    return [
        {
            "detector": Detector.BURST,
            "key": f"burst:user:{lead.referrer_id}",
            "leads": sorted(burst),
            "evidence": {
                "count": len(burst),
                "minutes": settings.FRAUD_BURST_MINUTES,
                "threshold": settings.FRAUD_BURST_COUNT,
            },
        }
    ]


def _domain_of(user: User) -> str:
    org = user.partner_organisation
    if org is not None and org.email_domain:
        return org.email_domain.lower()
    return user.email.rsplit("@", 1)[-1].lower()


def _prospect_domain(lead: Lead) -> str:
    if lead.company_domain:
        return lead.company_domain.lower()
    return lead.email_normalised.rsplit("@", 1)[-1].lower() if "@" in lead.email_normalised else ""


def detect_ring(*, lead: Lead, fingerprint: SubmissionPrint | None) -> list[dict[str, Any]]:
    """A refers B's company while someone of B's company refers A's."""
    mine = _domain_of(lead.referrer)
    theirs = _prospect_domain(lead)
    if not theirs or theirs == mine or theirs in settings.FRAUD_FREE_MAIL_DOMAINS:
        return []
    their_orgs = PartnerOrganisation.objects.filter(email_domain__iexact=theirs)
    back = Lead.objects.filter(
        Q(referrer__partner_organisation__in=their_orgs)
        | Q(referrer__email__iendswith="@" + theirs),
        submitted_at__gte=_window_start(lead),
    ).filter(Q(company_domain__iexact=mine) | Q(email_normalised__iendswith="@" + mine))
    back_ids = list(back.values_list("pk", flat=True))
    if not back_ids:
        return []
    pair = sorted([mine, theirs])
    return [
        {
            "detector": Detector.RING,
            "key": f"ring:{pair[0]}:{pair[1]}"[:120],
            "leads": sorted([lead.pk, *back_ids]),
            "evidence": {"domains": pair, "back": back_ids},
        }
    ]


def detect_self_referral(
    *, lead: Lead, fingerprint: SubmissionPrint | None
) -> list[dict[str, Any]]:
    """The prospect's e-mail domain is the referrer's own (not a free-mail domain), or
    the prospect's phone is one the referrer used for themselves elsewhere."""
    referrer_domain = lead.referrer.email.rsplit("@", 1)[-1].lower()
    prospect = lead.email_normalised.rsplit("@", 1)[-1].lower() if lead.email_normalised else ""
    reasons = []
    if (
        prospect
        and prospect not in settings.FRAUD_FREE_MAIL_DOMAINS
        and prospect in {referrer_domain, _domain_of(lead.referrer)}
    ):
        reasons.append("domain")
    if lead.phone_e164 and (
        Lead.objects.filter(referrer=lead.referrer, phone_e164=lead.phone_e164)
        .exclude(pk=lead.pk)
        .filter(email_normalised__iendswith="@" + referrer_domain)
        .exists()
        or Lead.objects.filter(
            phone_e164=lead.phone_e164, email_normalised=lead.referrer.email.lower()
        ).exists()
    ):
        reasons.append("phone")
    if not reasons:
        return []
    return [
        {
            "detector": Detector.SELF_REFERRAL,
            "key": f"self_referral:user:{lead.referrer_id}",
            "leads": [lead.pk],
            "evidence": {"shared": reasons, "domain": prospect},
        }
    ]


def detect_non_human(*, lead: Lead, fingerprint: SubmissionPrint | None) -> list[dict[str, Any]]:
    """No pause between the link visit and the submission, or a headless agent."""
    if fingerprint is None:
        return []
    agent = fingerprint.user_agent.lower()
    headless = next((a for a in settings.FRAUD_HEADLESS_AGENTS if a.lower() in agent), None)
    too_fast = (
        fingerprint.seconds_after_visit is not None
        and fingerprint.seconds_after_visit < settings.FRAUD_MIN_SECONDS_AFTER_VISIT
    )
    if not (headless or too_fast):
        return []
    return [
        {
            "detector": Detector.NON_HUMAN,
            "key": f"non_human:link:{lead.referral_link_id}",
            "leads": [lead.pk],
            "evidence": {
                "seconds_after_visit": fingerprint.seconds_after_visit,
                "threshold": settings.FRAUD_MIN_SECONDS_AFTER_VISIT,
                "agent": headless or "",
            },
        }
    ]


DETECTORS = (
    detect_shared_client,
    detect_burst,
    detect_ring,
    detect_self_referral,
    detect_non_human,
)


def fraud_detect(*, lead: Lead) -> list[FraudCase]:
    """Run every detector on a new lead; open (or extend) a case per finding. Locks an
    open case while adding leads to it; publishes ``fraud.leads_held`` per case."""
    return _detect(lead, SubmissionPrint.objects.filter(lead=lead).first())


def fraud_detect_many(*, leads: list[Lead]) -> list[FraudCase]:
    """``fraud_detect`` on each of many new leads (a worker's batch), their client prints
    read in one query. Locks and publishes as ``fraud_detect``."""
    prints = {p.lead_id: p for p in SubmissionPrint.objects.filter(lead__in=[x.pk for x in leads])}
    return [case for lead in leads for case in _detect(lead, prints.get(lead.pk))]


def _detect(lead: Lead, fingerprint: SubmissionPrint | None) -> list[FraudCase]:
    cases = []
    for detector in DETECTORS:
        for finding in detector(lead=lead, fingerprint=fingerprint):
            cases.append(fraud_case_open(**finding))
    return cases


# --- Cases -------------------------------------------------------------------------------


def fraud_case_open(
    *, detector: str, key: str, leads: list[int], evidence: dict[str, Any]
) -> FraudCase:
    """Open a case for a finding, or add the leads to the open case of the same finding.
    Audits the opening; locks the open case's row; publishes ``fraud.leads_held`` with
    the leads newly held (rewards holds their points, payouts their commissions)."""
    with transaction.atomic():
        case = FraudCase.objects.select_for_update().filter(key=key, status=CaseStatus.OPEN).first()
        if case is None:
            try:
                with transaction.atomic():
                    case = FraudCase.objects.create(detector=detector, key=key, evidence=evidence)
            except IntegrityError:
                case = FraudCase.objects.select_for_update().get(key=key, status=CaseStatus.OPEN)
            else:
                audit_record(
                    actor=None,
                    action="fraud.opened",
                    target=case,
                    to_state=CaseStatus.OPEN,
                    data={"detector": detector, "leads": leads, **evidence},
                )
        have = set(case.leads.values_list("pk", flat=True))
        new = [pk for pk in leads if pk not in have]
        if new:
            case.leads.add(*new)
            case.evidence = evidence
            case.save(update_fields=["evidence"])
            publish(
                name="fraud.leads_held",
                aggregate=case,
                payload={"case": case.pk, "leads": new},
            )
    return case


def fraud_case_decide(*, actor: User, case: FraudCase, decision: str, note: str = "") -> FraudCase:
    """A reviewer clears a case (its holds are released) or confirms it (its leads are
    rejected, or a won deal reversed, so their points and commissions are reversed).
    Checks the role and that the case is open under its row lock; needs a note to
    confirm; audits the decision; publishes ``fraud.case_decided``."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers decide fraud cases."))
    if decision not in {"clear", "confirm"}:
        raise ValidationError(_("Choose clear or confirm."))
    note = (note or "").strip()
    if decision == "confirm" and not note:
        raise ValidationError({"note": [_("Say why this is fraud.")]})
    from portal.leads.services import lead_reject, lead_reverse_deal

    with transaction.atomic():
        locked = FraudCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.OPEN:
            raise ValidationError(
                _("This case was already decided: %(s)s.")
                % {"s": locked.get_status_display().lower()}
            )
        to = CaseStatus.CLEARED if decision == "clear" else CaseStatus.CONFIRMED
        locked.status, locked.decided_at, locked.decided_by, locked.decision_note = (
            to,
            timezone.now(),
            actor,
            note,
        )
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        leads = list(locked.leads.order_by("pk"))
        audit_record(
            actor=actor,
            action=f"fraud.{decision}",
            target=locked,
            from_state=CaseStatus.OPEN,
            to_state=to,
            note=note,
            data={"leads": [lead.pk for lead in leads]},
        )
        # Released first: a confirmed lead's reversal then takes back what it earned.
        publish(
            name="fraud.case_decided",
            aggregate=locked,
            payload={"case": locked.pk, "decision": to, "leads": [lead.pk for lead in leads]},
        )
        if to == CaseStatus.CONFIRMED:
            reason = _("Fraud case #%(id)s: %(note)s") % {"id": locked.pk, "note": note}
            for lead in leads:
                if lead.status in {
                    LeadStatus.SUBMITTED,
                    LeadStatus.IN_REVIEW,
                    LeadStatus.QUALIFIED,
                }:
                    lead_reject(lead=lead, actor=actor, reason="invalid", note=reason)
                elif lead.status == LeadStatus.WON and lead.deal_reversed_at is None:
                    lead_reverse_deal(lead=lead, actor=actor, reason=reason)
    return locked
