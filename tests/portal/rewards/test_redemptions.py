# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.leads import services as leads
from portal.rewards.models import (
    LedgerEntry,
    Milestone,
    OfferCode,
    Raffle,
    RaffleEntry,
    Redemption,
    RewardItem,
    Tier,
    TierStatus,
)
from portal.rewards.raffles import draw_winners, raffle_draw, raffle_entries_collect
from portal.rewards.redemptions import (
    offer_code_issue,
    offer_codes_add,
    redemption_request,
    redemption_transition,
)
from portal.rewards.selectors import balance_of, ledger_sum
from portal.rewards.services import ledger_add
from tests.factories import UserFactory, submit_lead


def _give(user, points):
    ledger_add(participant=user, amount=points, event="adjustment", reason="test")


@pytest.fixture
def mug(db):
    return RewardItem.objects.create(name="Mug", kind="swag", points_price=60, stock=5)


def test_redeem_spends_points_and_stock(client, employee, mug):
    _give(employee, 100)
    client.force_login(employee)
    response = client.post(reverse("rewards:redeem", args=[mug.pk]), {"confirmed": "yes"})
    assert response["Location"] == reverse("rewards:redemptions")
    mug.refresh_from_db()
    assert (balance_of(participant=employee), mug.stock) == (40, 4)
    assert Redemption.objects.get().status == "requested"


def test_cannot_spend_more_than_the_balance(client, employee, mug):
    _give(employee, 59)
    client.force_login(employee)
    response = client.post(
        reverse("rewards:redeem", args=[mug.pk]), {"confirmed": "yes"}, follow=True
    )
    assert "You have 59 points; this reward costs 60." in response.content.decode()
    assert not Redemption.objects.exists() and balance_of(participant=employee) == 59


def test_tier_only_rewards(employee, program, mug):
    gold = Tier.objects.create(program=program, name="Gold", threshold=1000)
    mug.eligible_tiers.add(gold)
    _give(employee, 100)
    with pytest.raises(ValidationError, match="higher tiers"):
        redemption_request(participant=employee, item=mug)
    TierStatus.objects.create(participant=employee, program=program, tier=gold)
    assert redemption_request(participant=employee, item=mug).points == 60


def test_cancelled_redemption_returns_points_and_stock(employee, reviewer, mug):
    _give(employee, 100)
    redemption = redemption_request(participant=employee, item=mug)
    redemption_transition(redemption=redemption, actor=reviewer, action="approve")
    redemption_transition(
        redemption=redemption, actor=reviewer, action="cancel", note="Out of mugs"
    )
    mug.refresh_from_db()
    assert (balance_of(participant=employee), mug.stock, ledger_sum(participant=employee)) == (
        100,
        5,
        100,
    )
    assert LedgerEntry.objects.filter(redemption=redemption).count() == 2  # charge and refund
    with pytest.raises(ValidationError):
        redemption_transition(redemption=redemption, actor=reviewer, action="cancel")
    assert balance_of(participant=employee) == 100  # no second refund


def test_reviewer_approves_and_fulfils_in_the_admin(
    client, employee, reviewer, mug, django_capture_on_commit_callbacks
):
    _give(employee, 100)
    redemption = redemption_request(participant=employee, item=mug)
    client.force_login(reviewer)
    assert "Mug" in client.get(reverse("rewards_admin:redemptions")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("rewards_admin:redemption_act", args=[redemption.pk]), {"action": "approve"}
        )
        client.post(
            reverse("rewards_admin:redemption_act", args=[redemption.pk]), {"action": "fulfil"}
        )
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled"
    assert any("Mug: Fulfilled" in m.subject for m in mail.outbox)


@pytest.mark.parametrize("persona", ["employee", "partner_admin", "finance", "manager"])
def test_only_reviewers_handle_redemptions(client, request, employee, mug, persona):
    _give(employee, 100)
    redemption = redemption_request(participant=employee, item=mug)
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        redemption_transition(redemption=redemption, actor=actor, action="approve")
    client.force_login(actor)
    assert (
        client.post(
            reverse("rewards_admin:redemption_act", args=[redemption.pk]), {"action": "approve"}
        ).status_code
        == 403
    )


def test_partner_never_sees_employee_redemptions_and_back(client, employee, partner_user, mug):
    _give(employee, 100)
    _give(partner_user, 100)
    mine = redemption_request(participant=employee, item=mug)
    theirs = redemption_request(participant=partner_user, item=mug)
    client.force_login(partner_user)
    page = client.get(reverse("rewards:redemptions")).content.decode()
    assert page.count("Mug") == 1
    assert client.post(reverse("rewards:redemption_cancel", args=[mine.pk])).status_code == 404
    client.force_login(employee)
    assert client.post(reverse("rewards:redemption_cancel", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == "requested"


def _race(targets):
    barrier = threading.Barrier(len(targets))
    results: list[str] = []

    def run(fn):
        barrier.wait()
        try:
            fn()
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_at_once_cannot_overspend():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    participant = UserFactory()
    _give(participant, 100)
    a = RewardItem.objects.create(name="Headphones", kind="swag", points_price=70)
    b = RewardItem.objects.create(name="Backpack", kind="swag", points_price=60)
    outcome = _race(
        [
            lambda: redemption_request(participant=participant, item=a),
            lambda: redemption_request(participant=participant, item=b),
        ]
    )
    assert outcome == ["ok", "refused"]
    assert balance_of(participant=participant) in (30, 40) and balance_of(
        participant=participant
    ) == ledger_sum(participant=participant)


@pytest.mark.django_db(transaction=True)
def test_last_item_in_stock_goes_to_one_person():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    item = RewardItem.objects.create(
        name="Concert tickets", kind="experience", points_price=10, stock=1
    )
    people = [UserFactory() for _ in range(3)]
    for p in people:
        _give(p, 50)
    outcome = _race([lambda p=p: redemption_request(participant=p, item=item) for p in people])
    assert outcome == ["ok", "refused", "refused"]
    item.refresh_from_db()
    assert item.stock == 0 and Redemption.objects.count() == 1


# --- Milestones ---------------------------------------------------------------------


def test_milestone_granted_once_at_n_qualified(employee, reviewer, program):
    gift = RewardItem.objects.create(name="Gift card 50 €", kind="gift_card", points_price=500)
    Milestone.objects.create(program=program, qualified_count=2, reward=gift)
    first, second, third = (submit_lead(employee, program) for _ in range(3))
    leads.lead_qualify(lead=first, actor=reviewer)
    assert not Redemption.objects.filter(milestone__isnull=False).exists()
    leads.lead_qualify(lead=second, actor=reviewer)
    leads.lead_qualify(lead=third, actor=reviewer)
    grant = Redemption.objects.get(milestone__isnull=False)
    assert (grant.participant, grant.item, grant.points, grant.status) == (
        employee,
        gift,
        0,
        "approved",
    )


@pytest.mark.django_db(transaction=True)
def test_milestone_once_when_two_leads_qualify_at_the_same_instant(program):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    from portal.accounts.roles import Role
    from tests.factories import give_role

    referrer = UserFactory()
    gift = RewardItem.objects.create(name="Gift card", kind="gift_card", points_price=100)
    Milestone.objects.create(program=program, qualified_count=1, reward=gift)
    a, b = submit_lead(referrer, program), submit_lead(referrer, program)
    r1, r2 = give_role(UserFactory(), Role.REVIEWER), give_role(UserFactory(), Role.REVIEWER)
    outcome = _race(
        [lambda: leads.lead_qualify(lead=a, actor=r1), lambda: leads.lead_qualify(lead=b, actor=r2)]
    )
    assert outcome == ["ok", "ok"]
    assert Redemption.objects.filter(milestone__isnull=False, participant=referrer).count() == 1


# --- Welcome offers -----------------------------------------------------------------


def test_two_sided_program_sends_one_welcome_code(
    employee, reviewer, program, django_capture_on_commit_callbacks
):
    program.two_sided = True
    program.welcome_offer = "20% off the first year"
    program.save()
    offer_codes_add(
        actor=reviewer, program=program, codes=["WELCOME-1", "WELCOME-2", " WELCOME-1 "]
    )
    lead = submit_lead(employee, program, email="new@prospect.example")
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_qualify(lead=lead, actor=reviewer)
    code = OfferCode.objects.get(lead=lead)
    assert code.code == "WELCOME-1"
    sent = [m for m in mail.outbox if m.to == ["new@prospect.example"]]
    assert len(sent) == 1 and "WELCOME-1" in sent[0].body and "20% off" in sent[0].body
    assert offer_code_issue(lead=lead) is None  # never twice
    assert OfferCode.objects.filter(lead=lead).count() == 1


def test_empty_pool_generates_a_unique_code(employee, reviewer, program):
    program.two_sided = True
    program.save()
    a, b = submit_lead(employee, program), submit_lead(employee, program)
    leads.lead_qualify(lead=a, actor=reviewer)
    leads.lead_qualify(lead=b, actor=reviewer)
    codes = list(OfferCode.objects.values_list("code", flat=True))
    assert len(codes) == 2 and len(set(codes)) == 2 and all(c.startswith("VOUCH-") for c in codes)


# --- Raffles -------------------------------------------------------------------------


def test_raffle_draw_is_reproducible_from_entries_and_seed(reviewer, program):
    now = timezone.now()
    raffle = Raffle.objects.create(
        name="November raffle",
        prize="Weekend trip",
        winners_count=2,
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=1),
    )
    people = [UserFactory() for _ in range(4)]
    for i, person in enumerate(people):
        for _ in range(i + 1):
            leads.lead_qualify(lead=submit_lead(person, program), actor=reviewer)
    with pytest.raises(ValidationError, match="still open"):
        raffle_draw(raffle=raffle, actor=reviewer)
    Raffle.objects.filter(pk=raffle.pk).update(ends_at=timezone.now())
    raffle.refresh_from_db()
    winners = raffle_draw(raffle=raffle, actor=reviewer)
    raffle.refresh_from_db()
    entries = list(
        RaffleEntry.objects.filter(raffle=raffle)
        .order_by("pk")
        .values_list("participant_id", flat=True)
    )
    assert len(entries) == 10  # one per qualified referral
    assert [w.participant_id for w in winners] == draw_winners(
        participant_ids=entries, seed=raffle.seed, count=2
    )
    assert len({w.participant_id for w in winners}) == 2
    with pytest.raises(ValidationError, match="was drawn"):
        raffle_draw(raffle=raffle, actor=reviewer)


def test_draw_winners_is_a_pure_function():
    entries = [1, 1, 2, 3, 3, 3, 4]
    assert draw_winners(participant_ids=entries, seed="abc", count=2) == draw_winners(
        participant_ids=list(entries), seed="abc", count=2
    )
    assert (
        len(draw_winners(participant_ids=entries, seed="abc", count=10)) == 4
    )  # no one wins twice


def test_raffle_page_shows_entries_seed_and_winners(client, employee, reviewer, program):
    raffle = Raffle.objects.create(
        name="Spring raffle",
        prize="Bike",
        starts_at=timezone.now() - timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5),
    )
    leads.lead_qualify(lead=submit_lead(employee, program), actor=reviewer)
    Raffle.objects.filter(pk=raffle.pk).update(ends_at=timezone.now())
    raffle_draw(raffle=raffle, seed="published-seed")
    client.force_login(employee)
    html = client.get(reverse("rewards:raffle", args=[raffle.pk])).content.decode()
    assert "published-seed" in html and employee.public_name in html and "Winners" in html


# --- Bad input through the admin ---------------------------------------------------------


def test_admin_refuses_a_negative_price_and_an_unknown_tier(client, reviewer):
    client.force_login(reviewer)
    response = client.post(
        "/admin/reward_items/new/",
        {
            "name": "Broken",
            "description": "",
            "kind": "swag",
            "points_price": "-5",
            "stock": "",
            "eligible_tiers": ["999999"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "greater than or equal to" in body or "Ensure this value" in body
    assert "Select a valid choice" in body
    assert not RewardItem.objects.filter(name="Broken").exists()


def test_catalog_pages_for_participants(client, partner_user, mug):
    client.force_login(partner_user)
    assert "Mug" in client.get(reverse("rewards:catalog")).content.decode()
    assert client.get(reverse("rewards:home")).status_code == 200
    client.logout()
    assert client.get(reverse("rewards:catalog"))["Location"].startswith(reverse("account_login"))


def test_a_customer_s_qualified_referral_enters_no_raffle(reviewer, program, employee):
    now = timezone.now()
    raffle = Raffle.objects.create(
        name="December raffle",
        prize="Bike",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    theirs = submit_lead(customer, program)
    mine = submit_lead(employee, program)
    for lead in (theirs, mine):
        leads.lead_qualify(lead=lead, actor=reviewer)
    assert raffle_entries_collect(raffle=raffle) == 1
    assert list(RaffleEntry.objects.values_list("participant_id", "lead_id")) == [
        (employee.pk, mine.pk)
    ]
