# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sending leads to reciprocal partners under the inbound rules, the partner's updates,
points through events, and the lag reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.leads.models import RuleAction
from portal.leads.services import IllegalTransition
from portal.networks.models import OutboundLead, ProgramNetworkOptions, ReciprocityReminder
from portal.networks.services import (
    outbound_accept,
    outbound_mark_lost,
    outbound_mark_won,
    reciprocity_remind,
)
from portal.notifications.models import Notification
from portal.rewards.models import LedgerEntry
from tests.factories import (
    PartnerAdminFactory,
    PartnerOrganisationFactory,
    ReciprocalTermsFactory,
    send_outbound,
    submit_lead,
)


@pytest.fixture
def reciprocal(acme):
    ReciprocalTermsFactory(organisation=acme, quota_sent=2, quota_received=2)
    return acme


def test_a_sent_lead_is_cleaned_normalised_consented_and_audited(employee, reciprocal, program):
    outbound = send_outbound(
        employee,
        reciprocal,
        program,
        name="  Paula Prospect ",
        email=" Paula@Prospect.EXAMPLE ",
        phone="040 123 4567",
    )
    assert outbound.name == "Paula Prospect"
    assert outbound.email_normalised == "paula@prospect.example"
    assert outbound.phone_e164 == "+358401234567"
    assert outbound.company_domain == "prospect.example"
    assert outbound.consent_text == program.consent_text
    event = AuditEvent.objects.get(action="outbound.sent", target_id=str(outbound.pk))
    assert event.actor == employee


def test_without_consent_or_contact_nothing_is_sent(employee, reciprocal, program):
    with pytest.raises(ValidationError) as caught:
        send_outbound(employee, reciprocal, program, consent=False, email="", phone="")
    assert {"consent", "email"} <= set(caught.value.message_dict)
    assert OutboundLead.objects.count() == 0


def test_partners_cannot_send_and_non_reciprocal_partners_cannot_receive(
    employee, partner_user, reciprocal, program
):
    with pytest.raises(PermissionDenied):
        send_outbound(partner_user, reciprocal, program)
    with pytest.raises(ValidationError):
        send_outbound(employee, PartnerOrganisationFactory(), program)
    assert OutboundLead.objects.count() == 0


def test_the_same_prospect_twice_to_one_partner_follows_the_duplicate_rule(
    employee, reciprocal, program
):
    send_outbound(employee, reciprocal, program, email="dup@prospect.example")
    flagged = send_outbound(employee, reciprocal, program, email="DUP@prospect.example")
    assert [f["rule"] for f in flagged.flags] == ["duplicate"]
    program.rule_duplicate = RuleAction.REJECT
    program.save()
    with pytest.raises(ValidationError, match="already sent"):
        send_outbound(employee, reciprocal, program, email="dup@prospect.example")
    assert OutboundLead.objects.count() == 2
    # Another partner may get the same prospect.
    other = ReciprocalTermsFactory().organisation
    assert send_outbound(employee, other, program, email="dup@prospect.example").flags == []


def test_the_partners_own_people_are_refused(employee, reciprocal, program):
    with pytest.raises(ValidationError, match="belongs to Acme"):
        send_outbound(employee, reciprocal, program, email="boss@acme.example")
    assert OutboundLead.objects.count() == 0


def test_the_partner_accepts_and_wins_and_the_sender_is_told(
    employee, partner_user, reciprocal, program
):
    outbound = send_outbound(employee, reciprocal, program)
    assert Notification.objects.filter(user=partner_user, kind="outbound_received").count() == 1
    outbound_accept(outbound=outbound, actor=partner_user)
    outbound = outbound_mark_won(
        outbound=outbound, actor=partner_user, deal_value="1200.5", currency="eur"
    )
    assert (outbound.status, str(outbound.deal_value), outbound.deal_currency) == (
        "won",
        "1200.50",
        "EUR",
    )
    actions = list(
        AuditEvent.objects.filter(target_id=str(outbound.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["outbound.sent", "outbound.accept", "outbound.win"]
    assert Notification.objects.filter(user=employee, kind="outbound_status").count() == 2


def test_lost_needs_a_reason_and_closed_leads_stay_closed(
    employee, partner_admin, reciprocal, program
):
    outbound = send_outbound(employee, reciprocal, program)
    with pytest.raises(ValidationError):
        outbound_mark_lost(outbound=outbound, actor=partner_admin, reason="  ")
    with pytest.raises(ValidationError):
        outbound_mark_won(outbound=outbound, actor=partner_admin, deal_value="-1", currency="EUR")
    outbound_mark_lost(outbound=outbound, actor=partner_admin, reason="No budget this year")
    with pytest.raises(IllegalTransition):
        outbound_accept(outbound=outbound, actor=partner_admin)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.lost_reason) == ("lost", "No budget this year")


def test_another_partner_or_the_sender_cannot_update(employee, reciprocal, program, reviewer):
    outbound = send_outbound(employee, reciprocal, program)
    for intruder in (PartnerAdminFactory(), employee, reviewer):
        with pytest.raises(PermissionDenied):
            outbound_accept(outbound=outbound, actor=intruder)
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert not AuditEvent.objects.filter(action="outbound.accept").exists()


def test_points_for_outbound_leads_come_through_events_when_the_program_allows(
    employee, partner_user, reciprocal, program
):
    first = send_outbound(employee, reciprocal, program)
    assert not LedgerEntry.objects.filter(participant=employee).exists()  # option off
    ProgramNetworkOptions.objects.create(
        program=program, outbound_points_sent=5, outbound_points_won=20
    )
    outbound = send_outbound(employee, reciprocal, program)
    outbound_mark_won(outbound=outbound, actor=partner_user, deal_value="10", currency="EUR")
    outbound_mark_lost(outbound=first, actor=partner_user, reason="Gone quiet")
    entries = sorted(
        LedgerEntry.objects.filter(participant=employee).values_list("event", "amount")
    )
    assert entries == [("outbound_sent", 5), ("outbound_won", 20)]


@override_settings(RECIPROCITY_LAG_THRESHOLD=2)
def test_the_lagging_side_is_reminded_once_per_period(
    employee, partner_admin, partner_user, reciprocal, program, reviewer
):
    send_outbound(employee, reciprocal, program)
    assert reciprocity_remind() == 0  # one behind: under the threshold
    send_outbound(employee, reciprocal, program)
    mail.outbox.clear()
    assert reciprocity_remind() == 1
    assert reciprocity_remind() == 0  # the same period: no second reminder
    told = Notification.objects.filter(kind="reciprocity_lag")
    assert list(told.values_list("user", flat=True)) == [partner_admin.pk]
    assert not told.filter(user=reviewer).exists()
    assert [m.to for m in mail.outbox] == [[partner_admin.email]]
    # Next quarter starts level; the partner then sends too much: the company is reminded.
    later = timezone.now() + timedelta(days=100)
    for _ in range(2):
        lead = submit_lead(partner_user, program)
        type(lead).objects.filter(pk=lead.pk).update(submitted_at=later)
    assert reciprocity_remind(now=later) == 1
    assert told.filter(user=reviewer).count() == 1
    assert ReciprocityReminder.objects.count() == 2


@override_settings(LEAD_RETENTION_DAYS=30, LEAD_RETENTION_DAYS_ACTIVE=90)
def test_contact_data_is_erased_after_the_retention_of_inbound_leads(
    employee, partner_user, reciprocal, program
):
    from portal.networks.services import outbound_anonymise_expired

    lost = send_outbound(employee, reciprocal, program, name="Lena Lost")
    outbound_mark_lost(outbound=lost, actor=partner_user, reason="No budget")
    won = send_outbound(employee, reciprocal, program, name="Wes Won")
    outbound_mark_won(outbound=won, actor=partner_user, deal_value="10", currency="EUR")
    now = timezone.now()
    day = timedelta(days=1)
    OutboundLead.objects.filter(pk=lost.pk).update(status_changed_at=now - 30 * day + day / 24)
    OutboundLead.objects.filter(pk=won.pk).update(status_changed_at=now - 90 * day - day / 24)
    assert outbound_anonymise_expired(now=now) == 1  # the lost one has an hour to go
    won.refresh_from_db()
    lost.refresh_from_db()
    assert (won.name, won.email, str(won.deal_value)) == ("—", "", "10.00")
    assert lost.name == "Lena Lost"
    assert outbound_anonymise_expired(now=now + day / 12) == 1
    assert outbound_anonymise_expired(now=now + day) == 0
    assert AuditEvent.objects.filter(action="outbound.anonymised").count() == 2


# --- A person asks to be forgotten ----------------------------------------------------------


def test_erasing_a_person_reaches_the_leads_sent_to_partners(
    client, employee, partner_user, reviewer, reciprocal, program
):
    """The reviewer's erase page (leads.retention.person_erase) erases the person from
    outbound leads by the same rules as from inbound ones: matched by normalised e-mail
    or phone, contact data gone, row, status and deal value kept, each audited."""
    from decimal import Decimal

    from django.urls import reverse

    by_email = send_outbound(employee, reciprocal, program, email="Paula@Prospect.example")
    by_phone = send_outbound(
        employee, reciprocal, program, name="P. Prospect", email="", phone="040 123 4567"
    )
    outbound_mark_won(outbound=by_email, actor=partner_user, deal_value="1200", currency="EUR")
    inbound = submit_lead(employee, program, email="paula@prospect.example")
    other = send_outbound(employee, reciprocal, program, email="keep@me.example")

    client.force_login(reviewer)
    response = client.post(
        reverse("leads_admin:erase"),
        {"email": "PAULA@prospect.example", "phone": "+358 40 1234567", "confirm": "on"},
        follow=True,
    )
    assert "Contact details erased from 3 leads." in response.content.decode()
    for outbound in (by_email, by_phone):
        outbound.refresh_from_db()
        assert (outbound.name, outbound.email, outbound.phone, outbound.company) == (
            "—",
            "",
            "",
            "",
        )
        assert (outbound.email_normalised, outbound.phone_e164, outbound.company_domain) == (
            "",
            "",
            "",
        )
        assert outbound.anonymised_at is not None
    assert by_email.status == "won" and by_email.deal_value == Decimal("1200.00")
    inbound.refresh_from_db()
    assert inbound.email == "" and inbound.anonymised_at is not None
    other.refresh_from_db()
    assert other.email == "keep@me.example" and other.anonymised_at is None
    events = AuditEvent.objects.filter(action="outbound.erased_on_request")
    assert sorted(int(e.target_id) for e in events) == sorted([by_email.pk, by_phone.pk])
    assert {e.actor_id for e in events} == {reviewer.pk}
    # The partner now sees no contact details, and the lead cannot change any more.
    client.force_login(partner_user)
    detail = client.get(reverse("networks:outbound_detail", args=[by_phone.pk]))
    assert "040 123 4567" not in detail.content.decode()
    with pytest.raises(IllegalTransition):
        outbound_accept(outbound=by_phone, actor=partner_user)


def test_a_refused_erasure_leaves_outbound_leads_alone(employee, reciprocal, program):
    from portal.leads import retention

    outbound = send_outbound(employee, reciprocal, program, email="paula@prospect.example")
    with pytest.raises(PermissionDenied):
        retention.person_erase(actor=employee, email="paula@prospect.example")
    outbound.refresh_from_db()
    assert outbound.email == "paula@prospect.example" and outbound.anonymised_at is None
    assert not AuditEvent.objects.filter(action="outbound.erased_on_request").exists()
