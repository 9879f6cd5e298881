# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review: detectors look at each new lead across leads; each finding opens a case
with its evidence (or adds the lead to the open case of the same finding). While a case
is open, the points and commissions of its leads are held: rewards and payouts subscribe
to ``fraud.leads_held`` and ``fraud.case_decided``. A reviewer clears a case (everything
is released) or confirms it (the leads are rejected, or a won deal reversed, through the
lead services, so the existing reversals take back their points and commissions).

Thresholds are settings (``FRAUD_*``); every decision is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.events.services import publish
from portal.leads.models import Lead, LeadStatus

from .detectors import DETECTORS
from .models import CaseStatus, FraudCase, SubmissionPrint


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
    client = {
        "address": address,
        "network": network,
        "device": device,
        "user_agent": user_agent,
        "seconds_after_visit": seconds_after_visit,
    }
    submission_prints_record(clients={lead: client})
    if detect:
        fraud_detect(lead=lead)
    return SubmissionPrint.objects.get(lead=lead)


def submission_prints_record(*, clients: dict[Lead, dict[str, Any]]) -> None:
    """Keep the client prints of many leads (a worker's batch) in one INSERT, each as
    ``submission_print_record`` keeps one: a lead that has its print keeps it. ``clients``:
    per lead, the ``client`` of its ``lead.submitted`` (address, network, device,
    user_agent, seconds_after_visit; any may be missing). Locks nothing, publishes
    nothing."""
    SubmissionPrint.objects.bulk_create(
        [
            SubmissionPrint(
                lead=lead,
                address=client.get("address", ""),
                network=client.get("network", ""),
                device=client.get("device", ""),
                user_agent=(client.get("user_agent") or "")[:200],
                seconds_after_visit=None
                if (seconds := client.get("seconds_after_visit")) is None
                else max(0, seconds),
            )
            for lead, client in clients.items()
        ],
        ignore_conflicts=True,  # one per lead (one-to-one): a kept print stays as it was
    )


# --- Detecting ---------------------------------------------------------------------------


def fraud_detect(*, lead: Lead) -> list[FraudCase]:
    """Run every detector on a new lead; open (or extend) a case per finding. Locks an
    open case while adding leads to it; publishes ``fraud.leads_held`` per case."""
    return fraud_detect_many(leads=[lead])


def fraud_detect_many(*, leads: list[Lead]) -> list[FraudCase]:
    """``fraud_detect`` on each of many new leads, in order (a worker's batch): their
    client prints read in one query, each detector answering for all of them in at most
    one more (``detectors.py``: a lead's print counts from its own turn on), then the cases
    opened finding by finding in the order one lead at a time opens them. Locks and
    publishes as ``fraud_detect``."""
    if not leads:
        return []
    prints = {p.lead_id: p for p in SubmissionPrint.objects.filter(lead__in=[x.pk for x in leads])}
    found = [detector(leads=leads, prints=prints) for detector in DETECTORS]
    return [
        fraud_case_open(**finding)
        for index in range(len(leads))
        for per_lead in found
        for finding in per_lead[index]
    ]


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
