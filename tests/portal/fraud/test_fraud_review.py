# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fraud review: each detector at its threshold; held points and commissions; a held
commission is never batched; clearing releases, confirming reverses; decisions audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import PartnerOrganisation
from portal.audit.models import AuditEvent
from portal.fraud.models import FraudCase, SubmissionPrint
from portal.fraud.services import fraud_case_decide, submission_print_record
from portal.leads import services as leads
from portal.payouts.batches import payout_batch_build, payout_batch_start
from portal.payouts.models import Commission, CommissionPlan, ProgramCommissionSettings
from portal.payouts.services import commissions_approve_due
from portal.rewards.selectors import balance_of, ledger_sum
from tests.factories import PartnerUserFactory, UserFactory, submit_lead


def _print(lead, *, address="a1", network="n1", device="d1", agent="Mozilla/5.0", seconds=60):
    return submission_print_record(
        lead=lead,
        address=address,
        network=network,
        device=device,
        user_agent=agent,
        seconds_after_visit=seconds,
    )


# --- Detectors at their thresholds --------------------------------------------------------------


def test_shared_client_opens_a_case_at_the_third_referrer(program, settings):
    settings.FRAUD_SHARED_CLIENT_REFERRERS = 3
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    _print(submit_lead(a, program), device="same", address="x1", network="y1")
    _print(submit_lead(b, program), device="same", address="x2", network="y2")
    assert not FraudCase.objects.exists()  # two referrers: below the threshold
    third = submit_lead(c, program)
    _print(third, device="same", address="x3", network="y3")
    case = FraudCase.objects.get()
    assert case.detector == "shared_client" and case.leads.count() == 3
    assert case.evidence == {"field": "device", "referrers": 3, "threshold": 3}
    assert AuditEvent.objects.filter(action="fraud.opened").count() == 1


def test_burst_at_the_threshold_not_below(program, settings):
    settings.FRAUD_BURST_COUNT, settings.FRAUD_BURST_MINUTES = 3, 10
    person = UserFactory()
    first, second = submit_lead(person, program), submit_lead(person, program)
    first.submitted_at = timezone.now() - timedelta(minutes=11)  # outside the window
    first.save(update_fields=["submitted_at"])
    submit_lead(person, program)
    assert not FraudCase.objects.exists()  # two in the window
    submit_lead(person, program)
    case = FraudCase.objects.get(detector="burst")
    assert case.leads.count() == 3 and second in case.leads.all()


def test_ring_of_two_companies_referring_each_other(program):
    acme = PartnerOrganisation.objects.create(name="Acme", email_domain="acme.example")
    bolt = PartnerOrganisation.objects.create(name="Bolt", email_domain="bolt.example")
    a = PartnerUserFactory(partner_organisation=acme)
    b = PartnerUserFactory(partner_organisation=bolt)
    submit_lead(a, program, email="buyer@bolt.example", company="Bolt")
    assert not FraudCase.objects.exists()  # one direction is a normal referral
    submit_lead(b, program, email="buyer@acme.example", company="Acme")
    case = FraudCase.objects.get(detector="ring")
    assert case.leads.count() == 2
    assert case.evidence["domains"] == ["acme.example", "bolt.example"]


def test_prospect_on_the_referrers_own_domain(program):
    person = UserFactory(email="sam@widgets.example")
    submit_lead(person, program, email="friend@gmail.com")  # free mail: not evidence
    assert not FraudCase.objects.exists()
    submit_lead(person, program, email="me.again@widgets.example", company="Widgets")
    case = FraudCase.objects.get(detector="self_referral")
    assert case.evidence["shared"] == ["domain"]


def test_non_human_link_visit_at_the_threshold(program, settings):
    settings.FRAUD_MIN_SECONDS_AFTER_VISIT = 5
    person = UserFactory()
    _print(submit_lead(person, program), seconds=5)  # at the threshold: a person
    assert not FraudCase.objects.exists()
    _print(submit_lead(person, program), seconds=4, address="a2", device="d2")
    case = FraudCase.objects.get(detector="non_human")
    assert case.evidence["seconds_after_visit"] == 4
    _print(submit_lead(person, program), agent="Mozilla/5.0 HeadlessChrome/120", address="a3")
    case.refresh_from_db()
    assert case.leads.count() == 2  # the same finding: one case, one more lead


def test_a_referral_page_submission_records_its_print(client, program):
    person = UserFactory()
    from portal.leads.referrals import referral_link_for

    link = referral_link_for(user=person)
    url = reverse("referral_page", args=[link.code])
    client.get(url, headers={"user-agent": "Mozilla/5.0 HeadlessChrome/120"})
    client.post(
        url,
        {
            "program": program.pk,
            "name": "Prospect",
            "email": "p@prospect.example",
            "company": "Prospect",
            "consent": "on",
        },
        headers={"user-agent": "Mozilla/5.0 HeadlessChrome/120"},
    )
    fingerprint = SubmissionPrint.objects.get()
    assert fingerprint.seconds_after_visit is not None and fingerprint.seconds_after_visit < 5
    assert "127.0.0.1" not in fingerprint.address  # kept as a keyed hash
    assert FraudCase.objects.get().detector == "non_human"


def test_the_print_travels_in_the_lead_event_and_is_kept_once(program):
    """Leads never calls fraud review: the print rides in ``lead.submitted`` and fraud's
    handler keeps it (then detects); a second run of the handler adds nothing."""
    from django.db import transaction

    from portal.events.models import Event
    from portal.fraud.handlers import detect

    person = UserFactory()
    client_print = {
        "address": "addr-hash",
        "network": "net-hash",
        "device": "dev-hash",
        "user_agent": "Mozilla/5.0 HeadlessChrome/120",
        "seconds_after_visit": 2,
    }
    lead = leads.lead_submit(
        referrer=person,
        program=program,
        data={"name": "P", "email": "p@prospect.example", "company": "P", "consent": True},
        source="link",
        client_print=client_print,
    )
    event = Event.objects.get(name="lead.submitted", aggregate=f"lead:{lead.pk}")
    assert event.payload["client"] == client_print
    kept = SubmissionPrint.objects.get()
    assert (kept.lead, kept.device, kept.seconds_after_visit) == (lead, "dev-hash", 2)
    case = FraudCase.objects.get()
    assert case.detector == "non_human" and list(case.leads.all()) == [lead]
    audit = AuditEvent.objects.count()

    for _ in range(2):  # a retried event, a second worker
        with transaction.atomic():
            detect([event])
    assert SubmissionPrint.objects.count() == 1
    assert FraudCase.objects.get().leads.count() == 1
    assert AuditEvent.objects.count() == audit


def test_a_form_submission_carries_no_print(program):
    lead = submit_lead(UserFactory(), program)
    assert "client" not in lead_event_payload(lead)
    assert not SubmissionPrint.objects.exists()


def lead_event_payload(lead):
    from portal.events.models import Event

    return Event.objects.get(name="lead.submitted", aggregate=f"lead:{lead.pk}").payload


# --- Holds, clearing, confirming -----------------------------------------------------------------


@pytest.fixture
def flat_plan(program):
    plan = CommissionPlan.objects.create(
        name="Flat 100", kind="flat", flat_amount=Decimal("100.00"), hold_days=0
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    return plan


def _held_case(partner_user, reviewer, program):
    """A qualified partner lead (points and an approved commission), then a case on it."""
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    commissions_approve_due()
    _print(lead, seconds=0)
    return lead, FraudCase.objects.get()


def test_held_commission_is_never_batched_and_points_are_held(
    partner_user, reviewer, finance, program, flat_plan
):
    before = balance_of(participant=partner_user)
    assert before == 0
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    commissions_approve_due()
    earned = balance_of(participant=partner_user)
    assert earned == 60  # 10 submitted + 50 qualified
    _print(lead, seconds=0)
    commission = Commission.objects.get(lead=lead)
    assert (commission.status, commission.on_hold) == ("approved", True)
    assert balance_of(participant=partner_user) == 0 == ledger_sum(participant=partner_user) - 0
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    assert batch.status == "empty"
    commission.refresh_from_db()
    assert commission.batch is None and commission.status == "approved"


def test_commission_earned_while_held_is_held_too(partner_user, reviewer, program, flat_plan):
    lead = submit_lead(partner_user, program)
    _print(lead, seconds=0)  # the case opens before the lead qualifies
    leads.lead_qualify(lead=lead, actor=reviewer)
    commission = Commission.objects.get(lead=lead)
    assert commission.on_hold and commission.hold_reason.startswith("Fraud case #")
    assert commissions_approve_due() == 0
    assert balance_of(participant=partner_user) == 0


def test_clearing_releases_points_and_commissions(
    partner_user, reviewer, finance, program, flat_plan
):
    lead, case = _held_case(partner_user, reviewer, program)
    fraud_case_decide(actor=reviewer, case=case, decision="clear", note="A real customer")
    assert balance_of(participant=partner_user) == 60
    commission = Commission.objects.get(lead=lead)
    assert (commission.on_hold, commission.status) == (False, "approved")
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    assert payout_batch_build(batch_id=batch.pk).total == Decimal("100.00")
    assert AuditEvent.objects.filter(action="fraud.clear", actor=reviewer).exists()


def test_confirming_reverses_points_and_commissions(partner_user, reviewer, program, flat_plan):
    lead, case = _held_case(partner_user, reviewer, program)
    fraud_case_decide(actor=reviewer, case=case, decision="confirm", note="Fake company")
    lead.refresh_from_db()
    assert lead.status == "rejected"
    assert balance_of(participant=partner_user) == 0 == ledger_sum(participant=partner_user)
    assert Commission.objects.get(lead=lead).status == "cancelled"
    case.refresh_from_db()
    assert (case.status, case.decided_by) == ("confirmed", reviewer)
    audit = AuditEvent.objects.get(action="fraud.confirm")
    assert audit.note == "Fake company" and audit.to_state == "confirmed"
    # decided once
    with pytest.raises(ValidationError):
        fraud_case_decide(actor=reviewer, case=case, decision="clear")


def test_confirming_needs_a_reviewer_and_a_note(partner_user, reviewer, finance, program):
    lead = submit_lead(partner_user, program)
    _print(lead, seconds=0)
    case = FraudCase.objects.get()
    with pytest.raises(PermissionDenied):
        fraud_case_decide(actor=finance, case=case, decision="confirm", note="x")
    with pytest.raises(ValidationError):
        fraud_case_decide(actor=reviewer, case=case, decision="confirm", note=" ")
    case.refresh_from_db()
    lead.refresh_from_db()
    assert case.status == "open" and lead.status == "submitted"


# --- The queue ------------------------------------------------------------------------------------


def test_queue_for_reviewers_only(client, reviewer, employee, program):
    lead = submit_lead(employee, program)
    _print(lead, seconds=0)
    case = FraudCase.objects.get()
    client.force_login(reviewer)
    page = client.get(reverse("fraud:queue")).content.decode()
    assert f"#{case.pk}" in page and "Submitted 0 s after the link visit" in page
    client.force_login(employee)
    assert client.get(reverse("fraud:queue")).status_code == 403
    assert (
        client.post(reverse("fraud:decide", args=[case.pk]), {"decision": "clear"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == "open"


def test_reviewer_confirms_from_the_case_page_after_the_confirmation(
    client, reviewer, employee, program
):
    lead = submit_lead(employee, program)
    _print(lead, seconds=0)
    case = FraudCase.objects.get()
    client.force_login(reviewer)
    url = reverse("fraud:decide", args=[case.pk])
    asked = client.post(url, {"decision": "confirm", "note": "Scripted"})
    assert asked.status_code == 200  # the confirmation page
    case.refresh_from_db()
    assert case.status == "open"
    done = client.post(url, {"decision": "confirm", "note": "Scripted", "confirmed": "yes"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "confirmed"


def test_a_lead_a_case_names_before_its_points_are_handled_has_them_held(
    partner_user, program, settings, monkeypatch
):
    """A ring case opened at an earlier lead names a later one whose submission's points
    are not handled yet (another worker, a backlog): when they are, they are held, as a
    case opened after them would hold them."""
    from portal.events import services as events
    from portal.events.models import Event
    from portal.fraud.services import fraud_case_open
    from portal.rewards.models import LedgerEntry

    settings.EVENTS_BATCH_SIZE = 0  # one event at a time, in the order chosen below
    with monkeypatch.context() as waiting:
        waiting.setattr(events, "_kick", lambda event_id: None)
        lead = submit_lead(partner_user, program)
        fraud_case_open(detector="ring", key="ring:test", leads=[lead.pk], evidence={})
    held = Event.objects.get(name="fraud.leads_held")
    events.event_handle(event_id=held.pk)  # the case's hold first: nothing earned to hold
    assert not LedgerEntry.objects.filter(lead=lead).exists()
    events.events_drain()  # then the submission's points
    assert LedgerEntry.objects.filter(lead=lead, event="submitted", amount=10).exists()
    assert LedgerEntry.objects.filter(lead=lead, event="fraud.hold:submitted", amount=-10).exists()
    assert balance_of(participant=partner_user) == 0 == ledger_sum(participant=partner_user)
    events.events_drain()  # nothing twice
    assert LedgerEntry.objects.filter(lead=lead).count() == 2
