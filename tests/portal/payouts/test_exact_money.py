# SPDX-License-Identifier: AGPL-3.0-or-later
"""Money exact on every database: rounding ties go half-up, sums are whole cents (SQLite
sums decimals as floating point)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.money import money, money_sum
from portal.leads import services as leads
from portal.payouts.batches import payout_batch_build, payout_batch_start
from portal.payouts.exports import statement_csv
from portal.payouts.models import Commission, CommissionPlan
from portal.payouts.selectors import month_total, statement_for
from portal.payouts.services import plan_amount
from tests.factories import PartnerUserFactory, submit_lead

# --- Rounding ties -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("0.025", "0.03"),  # half-even would give 0.02
        ("0.045", "0.05"),  # half-even would give 0.04
        ("0.035", "0.04"),
        ("-0.025", "-0.03"),  # a clawback of a tie: away from zero, like the original
        ("0.0249999", "0.02"),
        ("2.675", "2.68"),
        (None, "0.00"),
        (7, "7.00"),
        (0.1 + 0.2, "0.30"),  # a floating-point sum comes back as the cents it means
    ],
)
def test_money_rounds_ties_half_up(value, cents):
    assert str(money(value)) == cents


def _plan(**kw):
    return CommissionPlan(name="x", currency="EUR", **kw)


def test_ten_percent_of_a_quarter_is_three_cents():
    """10 % of 0.25 is 0.025, a tie: half-up gives 0.03 (half-even would give 0.02)."""
    plan = _plan(kind="percent", percent=Decimal("10"))
    assert plan_amount(plan=plan, deal_value=Decimal("0.25")) == Decimal("0.03")
    assert plan_amount(plan=plan, deal_value=Decimal("0.45")) == Decimal("0.05")
    tier = _plan(kind="tier_percent", percent=Decimal("10"))
    assert plan_amount(plan=tier, deal_value=Decimal("0.50"), multiplier=Decimal("0.5")) == Decimal(
        "0.03"
    )


def test_a_flat_amount_and_the_cap_per_lead_are_whole_cents():
    assert plan_amount(plan=_plan(kind="flat", flat_amount=Decimal("10.005"))) == Decimal("10.01")
    plan = _plan(kind="percent", percent=Decimal("10"), cap_per_lead=Decimal("0.025"))
    assert plan_amount(plan=plan, deal_value=Decimal("100")) == Decimal("0.03")


def test_a_deal_value_is_stored_half_up(partner_user, reviewer, program, percent_plan):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="0.245", currency="EUR")
    lead.refresh_from_db()
    assert lead.deal_value == Decimal("0.25")
    assert Commission.objects.get(lead=lead, event="won").amount == Decimal("0.03")


# --- Sums in whole cents -------------------------------------------------------------------

AMOUNTS = ["-214.84", "226.23", "-1.49"]  # 9.90; SQLite's float sum: 9.89999999999998


def _approved(org, program, amounts, *, when=None):
    referrer = PartnerUserFactory(partner_organisation=org)
    for amount in amounts:
        Commission.objects.create(
            lead=submit_lead(referrer, program),
            program=program,
            event="qualified",
            amount=Decimal(amount),
            currency="EUR",
            payee_org=org,
            plan_name="Flat",
            hold_until=timezone.localdate(),
            status="approved",
            approved_at=when or timezone.now(),
        )


def test_money_sum_is_exact_cents(acme, program):
    _approved(acme, program, AMOUNTS)
    assert str(money_sum(Commission.objects.all())) == "9.90"
    assert str(money_sum(Commission.objects.none())) == "0.00"


def test_a_batch_of_the_failing_example_totals_9_90_exactly(acme, finance, program, settings):
    settings.PAYOUT_MINIMUM = Decimal("9.90")  # the total is compared in cents, too
    _approved(acme, program, AMOUNTS)
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    assert (batch.status, str(batch.total), batch.commission_count) == ("built", "9.90", 3)
    assert [str(t) for t in batch.lines.values_list("total", flat=True)] == ["9.90"]
    audit = AuditEvent.objects.get(action="batch.built")
    assert audit.data["total"] == "9.90"


def test_statements_and_month_totals_are_exact_cents(acme, program):
    _approved(acme, program, AMOUNTS)
    now = timezone.now()
    statement = statement_for(organisation=acme, month=timezone.localdate())
    assert (str(statement.earned), str(statement.closing)) == ("9.90", "9.90")
    total = month_total(payee_org_id=acme.pk, payee_user_id=None, plan_name="Flat", when=now)
    assert str(total) == "9.90"
    import io

    out = io.StringIO()
    statement_csv(statement=statement, out=out)
    assert "Earned,9.90" in out.getvalue() and "Closing balance,9.90" in out.getvalue()


def test_finance_pages_show_exact_cents(client, acme, finance, program):
    _approved(acme, program, AMOUNTS)
    client.force_login(finance)
    batches_page = client.get(reverse("payouts_admin:batches")).content.decode()
    assert "€9.90" in batches_page and "9.899" not in batches_page
    payee_page = client.get(reverse("payouts_admin:payee", args=[acme.pk])).content.decode()
    assert "9.90" in payee_page and "9.899" not in payee_page
