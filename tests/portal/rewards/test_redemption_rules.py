# SPDX-License-Identifier: AGPL-3.0-or-later
"""Redemptions by their rules: every refusal says why and writes nothing; a redemption
spends exactly its price and one unit of stock, leaves its audit and ledger records, and
each transition refunds or fulfils exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.events.models import Event
from portal.leads import services as leads
from portal.notifications.models import Notification
from portal.rewards.models import (
    LedgerEntry,
    Milestone,
    OfferCode,
    Raffle,
    RaffleEntry,
    Redemption,
    RewardItem,
)
from portal.rewards.redemptions import (
    milestones_grant,
    offer_code_issue,
    offer_codes_add,
    redemption_request,
    redemption_transition,
)
from portal.rewards.selectors import balance_of
from portal.rewards.services import ledger_add
from tests.factories import ProgramFactory, UserFactory, submit_lead


def _give(user, points):
    ledger_add(participant=user, amount=points, event="adjustment", reason="test")


def _written():
    return (
        Redemption.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="redemption.").count(),
    )


@pytest.fixture
def mug(db):
    return RewardItem.objects.create(name="Mug", kind="swag", points_price=60, stock=2)


# --- Requests ---------------------------------------------------------------------------------


def test_a_redemption_spends_its_price_and_one_unit(employee, mug):
    _give(employee, 60)
    redemption = redemption_request(participant=employee, item=mug)
    mug.refresh_from_db()
    assert (redemption.participant, redemption.item, redemption.points, redemption.status) == (
        employee,
        mug,
        60,
        "requested",
    )
    assert (mug.stock, balance_of(participant=employee)) == (1, 0)
    entry = LedgerEntry.objects.get(redemption=redemption)
    assert (entry.amount, entry.event, entry.reason) == (-60, "redemption", "Redeemed: Mug")
    audit = AuditEvent.objects.get(action="redemption.requested")
    assert (audit.actor, audit.target_id, audit.to_state) == (
        employee,
        str(redemption.pk),
        "requested",
    )


def test_an_item_without_stock_limit_never_runs_out(partner_user):
    unlimited = RewardItem.objects.create(name="Sticker", kind="swag", points_price=1, stock=None)
    _give(partner_user, 2)
    redemption_request(participant=partner_user, item=unlimited)
    redemption_request(participant=partner_user, item=unlimited)
    unlimited.refresh_from_db()
    assert unlimited.stock is None and balance_of(participant=partner_user) == 0


def test_only_participants_redeem(outsider, mug):
    _give(outsider, 100)
    before = _written()
    with pytest.raises(PermissionDenied, match="^Only participants redeem rewards.$"):
        redemption_request(participant=outsider, item=mug)
    assert _written() == before


def test_a_retired_item_is_refused(employee, mug):
    _give(employee, 100)
    mug.is_active = False
    mug.save()
    before = _written()
    with pytest.raises(ValidationError) as refused:
        redemption_request(participant=employee, item=mug)
    assert refused.value.messages == ["This reward is no longer in the catalog."]
    assert _written() == before


def test_exactly_enough_points_is_enough(employee, mug):
    _give(employee, 59)
    with pytest.raises(ValidationError) as refused:
        redemption_request(participant=employee, item=mug)
    assert refused.value.messages == ["You have 59 points; this reward costs 60."]
    mug.refresh_from_db()
    assert (mug.stock, balance_of(participant=employee)) == (2, 59)
    _give(employee, 1)
    assert redemption_request(participant=employee, item=mug).points == 60


def test_a_tier_only_item_is_refused_by_name(employee, program, mug):
    from portal.rewards.models import Tier

    mug.eligible_tiers.add(Tier.objects.create(program=program, name="Gold", threshold=500))
    _give(employee, 100)
    with pytest.raises(ValidationError) as refused:
        redemption_request(participant=employee, item=mug)
    assert refused.value.messages == ["This reward is for higher tiers."]


# --- Raffle tickets -----------------------------------------------------------------------------


def _raffle(**kw):
    now = timezone.now()
    return Raffle.objects.create(
        name="Draw",
        prize="Bike",
        starts_at=kw.pop("starts_at", now - timedelta(days=1)),
        ends_at=kw.pop("ends_at", now + timedelta(days=1)),
        **kw,
    )


@pytest.mark.parametrize(
    "window",
    ["not started", "ended", "drawn"],
)
def test_a_ticket_for_a_raffle_that_is_not_open_is_refused(employee, window):
    now = timezone.now()
    raffle = {
        "not started": lambda: _raffle(starts_at=now + timedelta(minutes=1)),
        "ended": lambda: _raffle(starts_at=now - timedelta(days=2), ends_at=now),
        "drawn": lambda: _raffle(drawn_at=now),
    }[window]()
    item = RewardItem.objects.create(
        name="Ticket", kind="raffle_ticket", points_price=5, raffle=raffle
    )
    _give(employee, 10)
    before = _written()
    with pytest.raises(ValidationError) as refused:
        redemption_request(participant=employee, item=item)
    assert refused.value.messages == ["The raffle of this ticket is not open."]
    assert _written() == before and balance_of(participant=employee) == 10


def test_a_ticket_enters_the_raffle_with_its_records(employee):
    raffle = _raffle()
    item = RewardItem.objects.create(
        name="Ticket", kind="raffle_ticket", points_price=5, raffle=raffle, stock=3
    )
    _give(employee, 10)
    redemption = redemption_request(participant=employee, item=item)
    entry = RaffleEntry.objects.get()
    audit = AuditEvent.objects.get(action="raffle.entered")
    assert (audit.target_id, audit.data) == (
        str(raffle.pk),
        {"entry": entry.pk, "redemption": redemption.pk},
    )
    fulfil = AuditEvent.objects.get(action="redemption.fulfil")
    assert (fulfil.actor, fulfil.from_state, fulfil.to_state) == (None, "requested", "fulfilled")
    event = Event.objects.get(name="redemption.fulfilled")
    assert event.payload == {
        "redemption": redemption.pk,
        "participant": employee.pk,
        "organisation": None,
        "kind": "raffle_ticket",
        "item": "Ticket",
        "amount": None,
        "currency": item.value_currency,
    }
    item.refresh_from_db()
    assert item.stock == 2


# --- Transitions ----------------------------------------------------------------------------------


@pytest.fixture
def requested(employee, mug):
    _give(employee, 100)
    return redemption_request(participant=employee, item=mug)


def test_a_reviewer_approves_with_a_note_audit_and_notice(requested, reviewer, employee):
    done = redemption_transition(
        redemption=requested, actor=reviewer, action="approve", note="On its way"
    )
    requested.refresh_from_db()
    assert (done.status, requested.status, requested.note) == ("approved", "approved", "On its way")
    audit = AuditEvent.objects.get(action="redemption.approve")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note) == (
        reviewer,
        "requested",
        "approved",
        "On its way",
    )
    assert Notification.objects.filter(user=employee, kind="redemption_status").count() == 1
    assert balance_of(participant=employee) == 40  # approval refunds nothing


def test_fulfilling_publishes_once(requested, reviewer, employee):
    redemption_transition(redemption=requested, actor=reviewer, action="approve")
    redemption_transition(redemption=requested, actor=reviewer, action="fulfil")
    event = Event.objects.get(name="redemption.fulfilled")
    assert (event.payload["kind"], event.payload["item"], event.payload["amount"]) == (
        "swag",
        "Mug",
        None,
    )
    assert balance_of(participant=employee) == 40


def test_a_step_out_of_order_is_refused_by_name(requested, reviewer, mug):
    with pytest.raises(ValidationError) as refused:
        redemption_transition(redemption=requested, actor=reviewer, action="fulfil")
    assert refused.value.messages == ["This redemption is requested; it cannot be fulfil."]
    requested.refresh_from_db()
    assert requested.status == "requested"
    assert not Event.objects.filter(name="redemption.fulfilled").exists()


def test_a_participant_cancels_their_own_request_and_gets_all_back(requested, employee, mug):
    redemption_transition(
        redemption=requested, actor=employee, action="cancel", note="Changed mind"
    )
    mug.refresh_from_db()
    assert (balance_of(participant=employee), mug.stock) == (100, 2)
    refund = LedgerEntry.objects.get(event="redemption.refund")
    assert (refund.amount, refund.reason, refund.redemption) == (60, "Cancelled: Mug", requested)
    audit = AuditEvent.objects.get(action="redemption.cancel")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note) == (
        employee,
        "requested",
        "cancelled",
        "Changed mind",
    )


def test_a_participant_cannot_cancel_once_approved(requested, employee, reviewer, mug):
    redemption_transition(redemption=requested, actor=reviewer, action="approve")
    with pytest.raises(ValidationError) as refused:
        redemption_transition(redemption=requested, actor=employee, action="cancel")
    assert refused.value.messages == ["An approved redemption can be cancelled by a reviewer only."]
    mug.refresh_from_db()
    assert (balance_of(participant=employee), mug.stock) == (40, 1)


def test_nobody_else_cancels_a_participants_request(requested, partner_user, employee):
    with pytest.raises(PermissionDenied, match="^Only reviewers handle redemptions.$"):
        redemption_transition(redemption=requested, actor=partner_user, action="cancel")
    requested.refresh_from_db()
    assert requested.status == "requested" and balance_of(participant=employee) == 40


def test_cancelling_a_free_milestone_reward_refunds_no_points(employee, reviewer, program):
    gift = RewardItem.objects.create(name="Gift", kind="gift_card", points_price=500, stock=4)
    Milestone.objects.create(program=program, qualified_count=1, reward=gift)
    leads.lead_qualify(lead=submit_lead(employee, program), actor=reviewer)
    grant = Redemption.objects.get(milestone__isnull=False)
    before = balance_of(participant=employee)
    redemption_transition(redemption=grant, actor=reviewer, action="cancel")
    gift.refresh_from_db()
    assert balance_of(participant=employee) == before and gift.stock == 5
    assert not LedgerEntry.objects.filter(event="redemption.refund").exists()


# --- Milestones and welcome codes -----------------------------------------------------------------


def test_milestones_count_qualified_and_won_referrals_of_that_program(employee, reviewer, program):
    gift = RewardItem.objects.create(name="Gift", kind="gift_card", points_price=500)
    milestone = Milestone.objects.create(program=program, qualified_count=2, reward=gift)
    third = Milestone.objects.create(program=program, qualified_count=3, reward=gift)
    won, qualified = submit_lead(employee, program), submit_lead(employee, program)
    leads.lead_qualify(lead=won, actor=reviewer)
    leads.lead_mark_won(lead=won, actor=reviewer, deal_value="10", currency="EUR")
    other_program = ProgramFactory()
    leads.lead_qualify(lead=submit_lead(employee, other_program), actor=reviewer)
    assert not Redemption.objects.filter(milestone=milestone).exists()
    leads.lead_qualify(lead=qualified, actor=reviewer)
    grant = Redemption.objects.get(milestone=milestone)
    assert (grant.status, grant.points, grant.note) == (
        "approved",
        0,
        "Milestone: 2 qualified referrals",
    )
    audit = AuditEvent.objects.get(action="redemption.milestone")
    assert (audit.actor, audit.target_id, audit.to_state) == (None, str(grant.pk), "approved")
    assert Notification.objects.filter(user=employee, kind="milestone").count() == 1
    assert milestones_grant(participant=employee, program=program) == []
    leads.lead_qualify(lead=submit_lead(employee, program), actor=reviewer)
    assert Redemption.objects.filter(milestone__in=[milestone, third]).count() == 2


def test_welcome_codes_are_added_once_by_reviewers_only(reviewer, employee, program):
    assert offer_codes_add(actor=reviewer, program=program, codes=[" A ", "B", "", "A"]) == 2
    assert offer_codes_add(actor=reviewer, program=program, codes=["B", "C"]) == 1
    assert sorted(OfferCode.objects.values_list("code", flat=True)) == ["A", "B", "C"]
    with pytest.raises(PermissionDenied, match="^Only reviewers upload offer codes.$"):
        offer_codes_add(actor=employee, program=program, codes=["D"])
    assert OfferCode.objects.count() == 3


def test_a_prospect_gets_the_oldest_free_code_of_the_program(employee, reviewer, program):
    other = ProgramFactory()
    OfferCode.objects.create(program=other, code="OTHER")
    offer_codes_add(actor=reviewer, program=program, codes=["Z-FIRST"])
    offer_codes_add(actor=reviewer, program=program, codes=["A-SECOND"])
    lead = submit_lead(employee, program, email="p@prospect.example")
    code = offer_code_issue(lead=lead)
    assert (code.code, code.lead, code.generated) == ("Z-FIRST", lead, False)
    assert code.issued_at is not None
    audit = AuditEvent.objects.get(action="offer.issued")
    assert (audit.target_id, audit.to_state, audit.data) == (
        str(code.pk),
        "issued",
        {"lead": lead.pk},
    )
    second = offer_code_issue(lead=submit_lead(employee, program, email="q@prospect.example"))
    assert second.code == "A-SECOND"


def test_a_lead_without_an_email_gets_no_code(employee, program):
    lead = submit_lead(employee, program)
    lead.email = ""
    assert offer_code_issue(lead=lead) is None
    assert not OfferCode.objects.exists()


def test_a_generated_code_is_marked_so(employee, program):
    code = offer_code_issue(lead=submit_lead(employee, program))
    assert code.generated and code.code.startswith("VOUCH-") and len(code.code) == 14
    assert code.code == code.code.upper()


def test_a_cash_bonus_names_its_value(partner_user, reviewer):
    item = RewardItem.objects.create(
        name="Bonus",
        kind="cash_bonus",
        points_price=10,
        face_value=Decimal("20.00"),
        value_currency="SEK",
    )
    _give(partner_user, 10)
    redemption = redemption_request(participant=partner_user, item=item)
    redemption_transition(redemption=redemption, actor=reviewer, action="approve")
    redemption_transition(redemption=redemption, actor=reviewer, action="fulfil")
    event = Event.objects.get(name="redemption.fulfilled")
    assert (event.payload["organisation"], event.payload["amount"], event.payload["currency"]) == (
        partner_user.partner_organisation_id,
        "20.00",
        "SEK",
    )


def test_a_customer_is_offered_no_raffle_ticket_and_cannot_redeem_one(client, employee):
    """Customers take no part in raffles (they see only their own link, points and
    rewards; a raffle page lists every entrant): no ticket in their catalog, by page or
    API, and the service refuses it; an employee is offered the same ticket."""
    from portal.rewards.selectors import catalog_for

    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    ticket = RewardItem.objects.create(
        name="Ticket", kind="raffle_ticket", points_price=5, raffle=_raffle()
    )
    mug = RewardItem.objects.create(name="Mug", kind="swag", points_price=5)
    assert set(catalog_for(user=customer)) == {mug}
    assert set(catalog_for(user=employee)) == {mug, ticket}
    _give(customer, 10)
    before = _written()
    with pytest.raises(ValidationError) as refused:
        redemption_request(participant=customer, item=ticket)
    assert refused.value.messages == ["Raffles are for employees and partners."]
    client.force_login(customer)
    assert "Ticket" not in client.get(reverse("rewards:catalog")).content.decode()
    page = client.post(reverse("rewards:redeem", args=[ticket.pk]), {"confirmed": "yes"})
    assert page.status_code == 404
    assert _written() == before and balance_of(participant=customer) == 10
    assert not RaffleEntry.objects.exists()
