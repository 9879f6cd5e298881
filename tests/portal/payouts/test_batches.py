# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import csv
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.leads import services as leads
from portal.payouts.batches import (
    payee_hold_set,
    payout_batch_approve,
    payout_batch_build,
    payout_batch_mark_paid,
    payout_batch_start,
)
from portal.payouts.models import Commission, PayoutBatch
from portal.payouts.selectors import statement_for
from tests.factories import PartnerUserFactory, submit_lead

from .conftest import approve_all


def _qualified(user, reviewer, program, n=1):
    for _ in range(n):
        leads.lead_qualify(lead=submit_lead(user, program), actor=reviewer)


def _build(finance, currency="EUR", kind="partners"):
    batch = payout_batch_start(
        actor=finance, kind=kind, currency=currency, cutoff=timezone.localdate()
    )
    return payout_batch_build(batch_id=batch.pk)


def _rows(batch):
    batch.export.open("r")
    text = batch.export.read()
    batch.export.close()
    text = text.decode() if isinstance(text, bytes) else text
    return list(csv.DictReader(io.StringIO(text)))


def test_batch_build_approve_export_and_pay(
    partner_user, reviewer, finance, second_finance, program, flat_plan
):
    other = PartnerUserFactory()
    _qualified(partner_user, reviewer, program, 2)
    _qualified(other, reviewer, program, 1)
    approve_all()
    batch = _build(finance)
    assert (batch.status, batch.total, batch.payee_count, batch.commission_count) == (
        "built",
        Decimal("300.00"),
        2,
        3,
    )
    assert set(Commission.objects.values_list("status", flat=True)) == {"in_batch"}
    with pytest.raises(PermissionDenied, match="another finance user"):
        payout_batch_approve(actor=finance, batch=batch)
    batch = payout_batch_approve(actor=second_finance, batch=batch)
    rows = _rows(batch)
    assert sum(Decimal(r["amount"]) for r in rows) == batch.total
    assert sum(int(r["commission_count"]) for r in rows) == batch.commission_count
    ids = {int(i) for r in rows for i in r["commission_ids"].split()}
    assert ids == set(Commission.objects.values_list("pk", flat=True))
    assert {r["payee"] for r in rows} == {
        partner_user.partner_organisation.name,
        other.partner_organisation.name,
    }
    assert all(
        r["payout_reference"].startswith(batch.reference) and r["currency"] == "EUR" for r in rows
    )
    payout_batch_mark_paid(actor=finance, batch=batch)
    payout_batch_mark_paid(actor=finance, batch=batch)  # twice is once
    assert set(Commission.objects.values_list("status", flat=True)) == {"paid"}
    from portal.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="batch.paid", target_id=str(batch.pk)).count() == 1


def test_payees_below_the_minimum_or_on_hold_wait(
    partner_user, reviewer, finance, program, flat_plan, settings
):
    settings.PAYOUT_MINIMUM = Decimal("150.00")
    held = PartnerUserFactory()
    _qualified(partner_user, reviewer, program, 1)  # 100 < 150
    _qualified(held, reviewer, program, 2)
    payee_hold_set(actor=finance, organisation=held.partner_organisation, reason="Tax form missing")
    approve_all()
    batch = _build(finance)
    assert batch.status == "empty"
    assert set(Commission.objects.values_list("status", flat=True)) == {"approved"}


def test_clawback_before_payout_nets_out(partner_user, reviewer, finance, program, percent_plan):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="2000", currency="EUR")
    leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refunded")
    claw = Commission.objects.get(event="clawback")
    assert claw.amount == Decimal("-200.00") and claw.reverses.amount == Decimal("200.00")
    approve_all()
    assert _build(finance).status == "empty"  # 200 - 200 = 0: nothing to pay


def test_clawback_after_payout_is_offset_against_later_earnings(
    partner_user, reviewer, finance, second_finance, program, percent_plan
):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="2000", currency="EUR")
    approve_all()
    first = payout_batch_mark_paid(
        actor=finance, batch=payout_batch_approve(actor=second_finance, batch=_build(finance))
    )
    assert first.total == Decimal("200.00")
    leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Chargeback")
    original = Commission.objects.get(event="won")
    assert original.status == "paid" and original.amount == Decimal("200.00")  # never edited
    approve_all()
    assert _build(finance).status == "empty"  # balance is -200: nothing to pay
    PayoutBatch.objects.filter(status="empty").delete()
    later = submit_lead(partner_user, program)
    leads.lead_qualify(lead=later, actor=reviewer)
    leads.lead_mark_won(lead=later, actor=reviewer, deal_value="5000", currency="EUR")
    approve_all()
    second = _build(finance)
    assert second.total == Decimal("300.00")  # 500 earned - 200 clawed back


def test_reversing_a_deal_needs_a_reviewer_a_reason_and_a_won_lead(
    partner_user, reviewer, finance, program, percent_plan
):
    lead = submit_lead(partner_user, program)
    with pytest.raises(leads.IllegalTransition):
        leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="x")
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="100", currency="EUR")
    with pytest.raises(PermissionDenied):
        leads.lead_reverse_deal(lead=lead, actor=finance, reason="x")
    with pytest.raises(ValidationError):
        leads.lead_reverse_deal(lead=lead, actor=reviewer, reason=" ")
    leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refund")
    with pytest.raises(leads.IllegalTransition, match="already"):
        leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refund")
    assert Commission.objects.filter(event="clawback").count() == 1


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("-300"), max_value=Decimal("900"), places=2),
        min_size=1,
        max_size=30,
    ),
    payees=st.integers(min_value=1, max_value=3),
)
# SQLite sums decimals as floating point: one payee's three commissions summed to
# 9.89999999999998, not 9.90 (issue 21).
@example(amounts=[Decimal("-214.84"), Decimal("226.23"), Decimal("-1.49")], payees=1)
def test_no_cent_is_created_or_lost_across_a_batch(amounts, payees, finance, program, settings):
    from portal.accounts.models import PartnerOrganisation

    Commission.objects.all().delete()
    PayoutBatch.objects.all().delete()
    settings.PAYOUT_MINIMUM = Decimal("0.01")
    orgs = [PartnerOrganisation.objects.get_or_create(name=f"Hypo {i}")[0] for i in range(3)]
    referrer = PartnerUserFactory(partner_organisation=orgs[0])
    for i, amount in enumerate(amounts):
        lead = submit_lead(referrer, program)
        Commission.objects.create(
            lead=lead,
            program=program,
            event="qualified",
            amount=amount,
            currency="EUR",
            payee_org=orgs[i % payees],
            hold_until=timezone.localdate(),
            status="approved",
            approved_at=timezone.now(),
        )
    batch = _build(finance)
    included = Commission.objects.filter(batch=batch)
    per_payee: dict[int, Decimal] = {}
    for c in Commission.objects.all():
        per_payee[c.payee_org_id] = per_payee.get(c.payee_org_id, Decimal("0")) + c.amount
    expected = sum((t for t in per_payee.values() if t >= Decimal("0.01")), Decimal("0.00"))
    # Exactly, as the builder holds it in memory, as stored, and as audited.
    assert str(batch.total) == str(expected.quantize(Decimal("0.01")))
    assert batch.total == (sum(included.values_list("amount", flat=True)) or Decimal("0"))
    assert batch.total == sum(batch.lines.values_list("total", flat=True))
    batch.refresh_from_db()
    assert str(batch.total) == str(expected.quantize(Decimal("0.01")))
    from portal.audit.models import AuditEvent

    built = AuditEvent.objects.filter(action="batch.built", target_id=str(batch.pk)).latest("pk")
    assert built.data["total"] == str(batch.total)


@pytest.mark.django_db(transaction=True)
def test_two_finance_users_building_at_once_never_share_a_commission(program):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    from portal.accounts.roles import Role
    from portal.payouts.models import CommissionPlan, ProgramCommissionSettings
    from tests.factories import UserFactory, give_role

    plan = CommissionPlan.objects.create(name="Flat", kind="flat", flat_amount=Decimal("100"))
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    for _ in range(6):
        _qualified(PartnerUserFactory(), reviewer, program, 1)
    approve_all()
    builders = [give_role(UserFactory(), Role.FINANCE) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def build(user):
        barrier.wait()
        try:
            batch = payout_batch_start(
                actor=user, kind="partners", currency="EUR", cutoff=timezone.localdate()
            )
            payout_batch_build(batch_id=batch.pk)
            results.append("built")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=build, args=(u,)) for u in builders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["built", "refused"], ["built", "built"])
    batched = Commission.objects.filter(batch__isnull=False)
    assert batched.count() == 6
    assert sum(PayoutBatch.objects.values_list("commission_count", flat=True)) == 6


# --- Partner side ---------------------------------------------------------------------


def test_statement_balances(
    partner_user, partner_admin, reviewer, finance, second_finance, program, flat_plan
):
    _qualified(partner_user, reviewer, program, 3)
    approve_all()
    payout_batch_mark_paid(
        actor=finance, batch=payout_batch_approve(actor=second_finance, batch=_build(finance))
    )
    month = timezone.localdate().replace(day=1)
    statement = statement_for(organisation=partner_user.partner_organisation, month=month)
    assert (
        statement.opening,
        statement.earned,
        statement.clawed_back,
        statement.paid,
        statement.closing,
    ) == (Decimal("0.00"), Decimal("300.00"), Decimal("0.00"), Decimal("300.00"), Decimal("0.00"))


def test_partner_admin_downloads_the_statement(
    client, partner_admin, partner_user, reviewer, program, flat_plan
):
    _qualified(partner_user, reviewer, program, 2)
    client.force_login(partner_admin)
    today = timezone.localdate()
    page = client.get(reverse("payouts:statement", args=[today.year, today.month]))
    assert "200.00" in page.content.decode()
    download = client.get(
        reverse("payouts:statement", args=[today.year, today.month]) + "?format=csv"
    )
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert ["Earned", "200.00"] in rows and ["Closing balance", "200.00"] in rows
    # Each commission names its deal's company, the partner's own lead.
    header = rows.index(["Commission", "Date", "Lead", "Company", "For", "Amount", "Status"])
    companies = {row[3] for row in rows[header + 1 :]}
    assert companies and "" not in companies
    # In the reader's language.
    partner_admin.language = "fi"
    partner_admin.save(update_fields=["language"])
    finnish = client.get(
        reverse("payouts:statement", args=[today.year, today.month]) + "?format=csv"
    ).content.decode()
    assert "Earned" not in finnish and "200.00" in finnish


def test_partner_a_never_sees_partner_b(
    client, partner_admin, other_partner_admin, reviewer, program, flat_plan
):
    other_user = PartnerUserFactory(partner_organisation=other_partner_admin.partner_organisation)
    _qualified(other_user, reviewer, program, 1)
    secret_iban = "DE89370400440532013000"
    other_partner_admin.partner_organisation.payout_details = {
        "iban": secret_iban,
        "account_holder": "Other GmbH",
    }
    other_partner_admin.partner_organisation.save()
    client.force_login(partner_admin)
    for url in [
        reverse("payouts:commissions"),
        reverse("payouts:details"),
        reverse("payouts:statement", args=[timezone.localdate().year, timezone.localdate().month]),
    ]:
        html = client.get(url).content.decode()
        assert "100.00" not in html and secret_iban[-4:] not in html and "Other GmbH" not in html


def test_partner_user_sees_only_the_summary(client, partner_user, reviewer, program, flat_plan):
    _qualified(partner_user, reviewer, program, 1)
    client.force_login(partner_user)
    html = client.get(reverse("payouts:commissions")).content.decode()
    assert "100.00" in html and "All commissions" not in html
    assert client.get(reverse("payouts:statements")).status_code == 403
    assert client.get(reverse("payouts:details")).status_code == 403


@pytest.mark.parametrize(
    ("iban", "message"),
    [("FI21 1234 5600 0007 86", "not valid"), ("XX00", "not valid"), ("", "required")],
)
def test_bad_payout_details_are_refused_with_a_clear_message(client, partner_admin, iban, message):
    client.force_login(partner_admin)
    response = client.post(
        reverse("payouts:details"), {"account_holder": "Acme Partners Oy", "iban": iban, "bic": ""}
    )
    assert message in response.content.decode()
    partner_admin.partner_organisation.refresh_from_db()
    assert partner_admin.partner_organisation.payout_details == {}


def test_valid_payout_details_are_shown_masked_to_finance(client, partner_admin, finance):
    client.force_login(partner_admin)
    client.post(
        reverse("payouts:details"),
        {"account_holder": "Acme Partners Oy", "iban": "FI21 1234 5600 0007 85", "bic": ""},
    )
    org = partner_admin.partner_organisation
    org.refresh_from_db()
    assert org.payout_details["iban"] == "FI2112345600000785"
    client.force_login(finance)
    html = client.get(reverse("payouts_admin:payee", args=[org.pk])).content.decode()
    assert "0785" in html and "FI2112345600000785" not in html


@pytest.mark.parametrize("persona", ["employee", "reviewer", "manager", "partner_admin"])
def test_finance_pages_are_refused_to_others(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ["payouts_admin:commissions", "payouts_admin:batches"]:
        assert client.get(reverse(name)).status_code == 403
