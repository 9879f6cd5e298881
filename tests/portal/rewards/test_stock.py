# SPDX-License-Identifier: AGPL-3.0-or-later
"""Out of stock is the service's refusal on every database, with nothing written: not a
database constraint turning into a server error (PostgreSQL) or an oversold item
(SQLite)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.rewards.models import LedgerEntry, Redemption, RewardItem
from portal.rewards.redemptions import redemption_request
from portal.rewards.selectors import balance_of
from portal.rewards.services import ledger_add


@pytest.fixture
def sold_out(db):
    return RewardItem.objects.create(name="Hoodie", kind="swag", points_price=50, stock=0)


def _state(user, item):
    item.refresh_from_db()
    return (
        item.stock,
        balance_of(participant=user),
        LedgerEntry.objects.count(),
        Redemption.objects.count(),
        AuditEvent.objects.filter(action__startswith="redemption.").count(),
    )


def test_an_item_out_of_stock_is_refused_and_nothing_is_written(employee, sold_out):
    ledger_add(participant=employee, amount=500, event="adjustment", reason="test")
    before = _state(employee, sold_out)
    with pytest.raises(ValidationError, match="This reward is out of stock."):
        redemption_request(participant=employee, item=sold_out)
    assert _state(employee, sold_out) == before == (0, 500, 1, 0, 0)


def test_the_last_one_goes_and_the_next_request_is_refused(employee, sold_out):
    sold_out.stock = 1
    sold_out.save()
    ledger_add(participant=employee, amount=500, event="adjustment", reason="test")
    redemption_request(participant=employee, item=sold_out)
    assert _state(employee, sold_out)[:2] == (0, 450)
    with pytest.raises(ValidationError, match="out of stock"):
        redemption_request(participant=employee, item=sold_out)
    assert _state(employee, sold_out)[:4] == (0, 450, 2, 1)


def test_the_page_says_out_of_stock_instead_of_a_server_error(client, employee, sold_out):
    ledger_add(participant=employee, amount=500, event="adjustment", reason="test")
    client.force_login(employee)
    response = client.post(
        reverse("rewards:redeem", args=[sold_out.pk]), {"confirmed": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "This reward is out of stock." in response.content.decode()
    assert _state(employee, sold_out) == (0, 500, 1, 0, 0)
