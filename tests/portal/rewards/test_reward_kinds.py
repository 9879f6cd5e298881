# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rewards act by their kind: cash bonuses reach the next batch, vouchers finance's
list, raffle tickets the raffle, and codes a signed check-and-redeem API (once)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.payouts.batches import payout_batch_build, payout_batch_start
from portal.payouts.models import Commission
from portal.rewards.codes import reward_code_redeem
from portal.rewards.models import CodeClient, Raffle, RaffleEntry, RewardCode, RewardItem
from portal.rewards.redemptions import redemption_request, redemption_transition
from portal.rewards.selectors import balance_of
from portal.rewards.services import ledger_add
from portal.webhooks.signing import HEADER, signature_header
from tests.factories import ProgramFactory, UserFactory

SECRET = "till-secret"


def _give(user, points):
    ledger_add(participant=user, amount=points, event="adjustment", reason="test")


def _fulfil(redemption, reviewer):
    redemption_transition(redemption=redemption, actor=reviewer, action="approve")
    return redemption_transition(redemption=redemption, actor=reviewer, action="fulfil")


@pytest.fixture
def shop(db):
    return CodeClient.objects.create(name="Web shop", source="shop", secret=SECRET)


def _signed(client, url, payload, secret=SECRET):
    raw = json.dumps(payload).encode()
    return client.post(
        url,
        data=raw,
        content_type="application/json",
        headers={HEADER: signature_header(secret, raw)},
    )


# --- Cash bonus and vouchers -------------------------------------------------------------


def test_fulfilled_cash_bonus_joins_the_next_payroll_batch_once(employee, reviewer, finance):
    _give(employee, 500)
    item = RewardItem.objects.create(
        name="Bonus 50", kind="cash_bonus", points_price=300, face_value=Decimal("50.00")
    )
    redemption = redemption_request(participant=employee, item=item)
    assert not Commission.objects.exists()  # nothing owed before a reviewer fulfils it
    _fulfil(redemption, reviewer)
    bonus = Commission.objects.get()
    assert (bonus.payee_user, bonus.amount, bonus.currency, bonus.event, bonus.status) == (
        employee,
        Decimal("50.00"),
        "EUR",
        "reward_bonus",
        "approved",
    )
    assert bonus.lead is None and bonus.source == f"redemption:{redemption.pk}"
    # fulfilling again is refused and owes nothing more
    with pytest.raises(ValidationError):
        redemption_transition(redemption=redemption, actor=reviewer, action="fulfil")
    assert Commission.objects.count() == 1
    batch = payout_batch_start(
        actor=finance, kind="payroll", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    assert (batch.status, batch.total, batch.payee_count) == ("built", Decimal("50.00"), 1)
    assert batch.lines.get().payee_user == employee


def test_partner_cash_bonus_goes_to_the_organisation(partner_user, reviewer):
    _give(partner_user, 500)
    item = RewardItem.objects.create(
        name="Bonus", kind="cash_bonus", points_price=100, face_value=Decimal("20.00")
    )
    _fulfil(redemption_request(participant=partner_user, item=item), reviewer)
    bonus = Commission.objects.get()
    assert (bonus.payee_org, bonus.payee_user) == (partner_user.partner_organisation, None)


def test_fulfilled_voucher_is_on_finance_voucher_list_not_in_payouts(
    client, employee, reviewer, finance
):
    _give(employee, 500)
    item = RewardItem.objects.create(
        name="Book voucher", kind="voucher", points_price=100, face_value=Decimal("25.00")
    )
    redemption = redemption_request(participant=employee, item=item)
    client.force_login(finance)
    assert "Book voucher" not in client.get(reverse("rewards:vouchers")).content.decode()
    _fulfil(redemption, reviewer)
    page = client.get(reverse("rewards:vouchers")).content.decode()
    assert "Book voucher" in page and employee.email in page
    csv_text = client.get(reverse("rewards:vouchers") + "?format=csv").content.decode()
    assert f"{redemption.pk}," in csv_text and "25.00,EUR" in csv_text
    assert not Commission.objects.exists()


def test_voucher_list_is_for_finance_only(client, employee):
    client.force_login(employee)
    assert client.get(reverse("rewards:vouchers")).status_code == 403


# --- Raffle tickets ------------------------------------------------------------------------


@pytest.fixture
def open_raffle(db):
    now = timezone.now()
    return Raffle.objects.create(
        name="Summer draw",
        prize="Bike",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )


def test_raffle_ticket_enters_the_chosen_open_raffle_at_once(employee, open_raffle):
    _give(employee, 100)
    item = RewardItem.objects.create(
        name="Ticket", kind="raffle_ticket", points_price=30, raffle=open_raffle
    )
    redemption = redemption_request(participant=employee, item=item)
    assert redemption.status == "fulfilled"
    entry = RaffleEntry.objects.get()
    assert (entry.raffle, entry.participant, entry.redemption, entry.bought) == (
        open_raffle,
        employee,
        redemption,
        True,
    )
    assert balance_of(participant=employee) == 70


def test_ticket_for_a_closed_raffle_is_refused_and_costs_nothing(employee, open_raffle):
    _give(employee, 100)
    open_raffle.ends_at = timezone.now() - timedelta(hours=1)
    open_raffle.starts_at = open_raffle.ends_at - timedelta(days=2)
    open_raffle.save()
    item = RewardItem.objects.create(
        name="Ticket", kind="raffle_ticket", points_price=30, raffle=open_raffle
    )
    with pytest.raises(ValidationError):
        redemption_request(participant=employee, item=item)
    assert balance_of(participant=employee) == 100 and not RaffleEntry.objects.exists()


# --- Codes ---------------------------------------------------------------------------------


@pytest.fixture
def discount(db):
    return RewardItem.objects.create(
        name="15 % off",
        kind="discount_code",
        points_price=50,
        face_value=Decimal("15"),
        face_value_kind="percent",
        code_valid_days=30,
    )


def test_store_credit_code_is_issued_with_value_and_expiry(client, employee):
    _give(employee, 100)
    item = RewardItem.objects.create(
        name="Shop credit",
        kind="store_credit",
        points_price=80,
        face_value=Decimal("40.00"),
        value_currency="EUR",
        code_valid_days=60,
    )
    before = timezone.now()
    redemption = redemption_request(participant=employee, item=item)
    code = RewardCode.objects.get()
    assert (code.redemption, code.value, code.value_kind, code.currency) == (
        redemption,
        Decimal("40.00"),
        "amount",
        "EUR",
    )
    assert before + timedelta(days=60) <= code.expires_at <= timezone.now() + timedelta(days=60)
    client.force_login(employee)
    page = client.get(reverse("rewards:redemptions")).content.decode()
    assert code.code in page and "40.00 EUR" in page


def test_code_api_checks_then_redeems_once(client, employee, shop, discount):
    _give(employee, 100)
    redemption_request(participant=employee, item=discount)
    code = RewardCode.objects.get()
    check = _signed(client, "/api/v1/codes/shop/check/", {"code": code.code.lower()})
    assert check.status_code == 200
    assert (check.json()["state"], check.json()["value"], check.json()["value_kind"]) == (
        "valid",
        "15.00",
        "percent",
    )
    used = _signed(client, "/api/v1/codes/shop/redeem/", {"code": code.code, "reference": "A-1"})
    assert used.status_code == 200 and used.json()["state"] == "used"
    again = _signed(client, "/api/v1/codes/shop/redeem/", {"code": code.code, "reference": "A-2"})
    assert again.status_code == 409
    code.refresh_from_db()
    assert (code.redeemed_by, code.redeemed_reference) == (shop, "A-1")
    assert AuditEvent.objects.filter(action="reward_code.redeemed").count() == 1
    assert _signed(client, "/api/v1/codes/shop/check/", {"code": code.code}).json()["state"] == (
        "used"
    )


def test_code_api_refuses_a_bad_signature_and_changes_nothing(client, employee, shop, discount):
    _give(employee, 100)
    redemption_request(participant=employee, item=discount)
    code = RewardCode.objects.get()
    response = _signed(client, "/api/v1/codes/shop/redeem/", {"code": code.code}, secret="nope")
    assert response.status_code == 401
    unsigned = client.post(
        "/api/v1/codes/shop/redeem/", {"code": code.code}, content_type="application/json"
    )
    assert unsigned.status_code == 401
    shop.is_active = False
    shop.save()
    assert _signed(client, "/api/v1/codes/shop/redeem/", {"code": code.code}).status_code == 401
    code.refresh_from_db()
    assert code.redeemed_at is None


def test_unknown_and_expired_codes(client, employee, shop, discount):
    _give(employee, 100)
    redemption_request(participant=employee, item=discount)
    code = RewardCode.objects.get()
    assert _signed(client, "/api/v1/codes/shop/check/", {"code": "NOPE"}).status_code == 404
    # one hour inside the expiry it is valid; at the expiry it is not
    code.expires_at = timezone.now() + timedelta(hours=1)
    code.save()
    assert _signed(client, "/api/v1/codes/shop/check/", {"code": code.code}).json()["state"] == (
        "valid"
    )
    code.expires_at = timezone.now() - timedelta(seconds=1)
    code.save()
    assert _signed(client, "/api/v1/codes/shop/check/", {"code": code.code}).json()["state"] == (
        "expired"
    )
    response = _signed(client, "/api/v1/codes/shop/redeem/", {"code": code.code})
    assert response.status_code == 409 and "expired" in response.json()["message"]
    code.refresh_from_db()
    assert code.redeemed_at is None


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_redemptions_of_one_code_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent updates are exercised on PostgreSQL (CI)")
    shop = CodeClient.objects.create(name="Till", source="till", secret=SECRET)
    participant = UserFactory()
    _give(participant, 100)
    item = RewardItem.objects.create(
        name="Credit", kind="store_credit", points_price=10, face_value=Decimal("5.00")
    )
    redemption_request(participant=participant, item=item)
    code = RewardCode.objects.get()
    barrier = threading.Barrier(20)
    results: list[str] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            reward_code_redeem(client=shop, code=code.code, reference=f"order-{n}")
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["refused"] * 19
    code.refresh_from_db()
    assert code.redeemed_at is not None and code.redeemed_reference.startswith("order-")
    assert AuditEvent.objects.filter(action="reward_code.redeemed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_api_redemptions_of_one_code_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent updates are exercised on PostgreSQL (CI)")
    CodeClient.objects.create(name="Till", source="till", secret=SECRET)
    participant = UserFactory()
    _give(participant, 100)
    item = RewardItem.objects.create(
        name="Credit", kind="store_credit", points_price=10, face_value=Decimal("5.00")
    )
    redemption_request(participant=participant, item=item)
    code = RewardCode.objects.get()
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def run(n: int) -> None:
        api = Client()
        barrier.wait()
        try:
            response = _signed(
                api, "/api/v1/codes/till/redeem/", {"code": code.code, "reference": f"r{n}"}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 19


# --- Catalog per program ---------------------------------------------------------------------


def test_catalog_per_program_with_shared_items_and_points_needed(client, employee):
    sales, support = ProgramFactory(name="Sales"), ProgramFactory(name="Support")
    shared = RewardItem.objects.create(name="Shared mug", kind="swag", points_price=40)
    only_sales = RewardItem.objects.create(name="Sales jacket", kind="swag", points_price=90)
    only_sales.programs.add(sales)
    both = RewardItem.objects.create(name="Team dinner", kind="experience", points_price=70)
    both.programs.add(sales, support)
    _give(employee, 50)
    client.force_login(employee)
    page = client.get(reverse("rewards:catalog") + f"?program={support.slug}").content.decode()
    assert "Shared mug" in page and "Team dinner" in page and "Sales jacket" not in page
    page = client.get(reverse("rewards:catalog") + f"?program={sales.slug}").content.decode()
    assert "Sales jacket" in page and "You need 40 more points" in page
    assert "You need 20 more points" in page  # team dinner
    assert "You have enough points" in page  # the shared mug
    everything = client.get(reverse("rewards:catalog")).content.decode()
    assert all(name in everything for name in ("Shared mug", "Sales jacket", "Team dinner"))
    assert shared.pk  # shared across every program


def test_item_of_a_kind_needs_its_settings(db):
    with pytest.raises(ValidationError):
        RewardItem(name="x", kind="cash_bonus", points_price=1).clean()
    with pytest.raises(ValidationError):
        RewardItem(name="x", kind="raffle_ticket", points_price=1).clean()
    with pytest.raises(ValidationError):
        RewardItem(
            name="x",
            kind="discount_code",
            points_price=1,
            face_value=Decimal("120"),
            face_value_kind="percent",
        ).clean()
