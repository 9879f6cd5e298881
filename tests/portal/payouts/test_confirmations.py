# SPDX-License-Identifier: AGPL-3.0-or-later
"""A money or irreversible action asks first, saying what will happen, and changes nothing
until confirmed. The confirmation is a plain form (no JavaScript, strict CSP)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.leads.models import LeadStatus
from portal.leads.services import lead_qualify
from portal.payouts.batches import payout_batch_build, payout_batch_start
from portal.payouts.models import Commission, PayoutBatch
from portal.rewards.models import Redemption, RewardItem
from portal.rewards.selectors import balance_of
from portal.rewards.services import ledger_add
from tests.factories import submit_lead

from .conftest import approve_all


def _hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_redeem_asks_first_with_the_balance_after_and_changes_nothing(client, employee):
    mug = RewardItem.objects.create(name="Mug", kind="swag", points_price=60, stock=5)
    ledger_add(participant=employee, amount=100, event="adjustment", reason="test")
    client.force_login(employee)

    asked = client.post(reverse("rewards:redeem", args=[mug.pk]))

    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Redeem Mug?" in html and "100 → 40" in html
    assert "<script>" not in html  # works under the strict CSP, without JavaScript
    mug.refresh_from_db()
    assert (balance_of(participant=employee), mug.stock, Redemption.objects.count()) == (100, 5, 0)

    done = client.post(reverse("rewards:redeem", args=[mug.pk]), _hidden_fields(html))

    assert done.status_code == 302
    assert (balance_of(participant=employee), Redemption.objects.count()) == (40, 1)


def test_withdrawing_a_referral_asks_first(client, employee, program):
    lead = submit_lead(employee, program)
    client.force_login(employee)

    asked = client.post(reverse("leads:withdraw", args=[lead.pk]), {"note": "Duplicate"})

    assert "cannot be reopened" in asked.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.SUBMITTED
    fields = _hidden_fields(asked.content.decode())
    fields.pop("csrfmiddlewaretoken")
    assert fields == {"note": "Duplicate", "confirmed": "yes"}  # the POST is carried over

    client.post(reverse("leads:withdraw", args=[lead.pk]), fields)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WITHDRAWN


def test_approving_and_marking_a_batch_paid_ask_first(
    client, partner_user, reviewer, finance, second_finance, program, flat_plan
):
    lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    approve_all()
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    url = reverse("payouts_admin:batch_act", args=[batch.pk])
    client.force_login(second_finance)

    asked = client.post(url, {"action": "approve"})

    html = asked.content.decode()
    assert f"Approve batch {batch.reference}?" in html and "Payees: 1" in html
    assert PayoutBatch.objects.get(pk=batch.pk).status == "built"
    client.post(url, _hidden_fields(html))
    assert PayoutBatch.objects.get(pk=batch.pk).status == "approved"

    asked = client.post(url, {"action": "paid"})

    assert "cannot be undone" in asked.content.decode()
    assert set(Commission.objects.values_list("status", flat=True)) == {"in_batch"}
    assert not AuditEvent.objects.filter(action="batch.paid").exists()
    client.post(url, _hidden_fields(asked.content.decode()))
    assert set(Commission.objects.values_list("status", flat=True)) == {"paid"}
