# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a commission says about itself, exactly: its amount, its basis, its dates, its
payee, its audit record and its event; and what each plan, cap and refusal means in
figures a finance user reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.events.models import Event
from portal.fraud.services import fraud_case_open
from portal.leads import services as leads
from portal.payouts.models import (
    Commission,
    CommissionPlan,
    PartnerPlan,
    ProgramCommissionSettings,
)
from portal.payouts.selectors import month_total
from portal.payouts.services import (
    bonus_commission_add,
    commission_approve,
    commission_set_hold,
    commissions_approve_due,
    lead_commissions_apply,
    lead_commissions_hold,
    plan_amount,
)
from portal.rewards.models import Tier, TierStatus
from tests.factories import PartnerUserFactory, UserFactory, submit_lead

HELSINKI = ZoneInfo("Europe/Helsinki")


def _plan(**kw):
    return CommissionPlan(name="x", currency="EUR", **kw)


def _audit(action):
    return AuditEvent.objects.get(action=action)


# --- Arithmetic refusals ---------------------------------------------------------------------


def test_a_plan_without_its_figure_is_refused_by_name():
    with pytest.raises(ValueError, match="^a flat plan needs its amount$"):
        plan_amount(plan=_plan(kind="flat"))
    message = "^percentage plans need the deal value and the percentage$"
    with pytest.raises(ValueError, match=message):
        plan_amount(plan=_plan(kind="percent", percent=Decimal("10")))  # no deal value
    with pytest.raises(ValueError, match=message):
        plan_amount(plan=_plan(kind="percent"), deal_value=Decimal("100"))  # no percentage


def test_a_plain_percentage_plan_ignores_the_tier_multiplier():
    plan = _plan(kind="percent", percent=Decimal("10"))
    assert plan_amount(plan=plan, deal_value=Decimal("1000"), multiplier=Decimal("2")) == Decimal(
        "100.00"
    )
    assert plan_amount(
        plan=_plan(kind="tier_percent", percent=Decimal("10")), deal_value=Decimal("1000")
    ) == Decimal("100.00")  # no multiplier given: 1


def test_the_cap_per_lead_only_lowers():
    plan = _plan(kind="percent", percent=Decimal("10"), cap_per_lead=Decimal("500"))
    assert plan_amount(plan=plan, deal_value=Decimal("1000")) == Decimal("100.00")
    assert plan_amount(plan=plan, deal_value=Decimal("5000")) == Decimal("500.00")


# --- Creation: the record, its audit and its event ------------------------------------------


def test_a_qualified_lead_records_its_commission_audit_and_event(
    partner_user, reviewer, program, flat_plan
):
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    c = Commission.objects.get(lead=lead)
    assert (
        c.program,
        c.event,
        c.amount,
        c.currency,
        c.plan_name,
        c.basis,
        c.on_hold,
        c.hold_reason,
        c.payee_org,
        c.payee_user,
        c.source,
    ) == (
        program,
        "qualified",
        Decimal("100.00"),
        "EUR",
        "Flat 100",
        "Flat 100.00 EUR per qualified lead",
        False,
        "",
        partner_user.partner_organisation,
        None,
        "",
    )
    audit = _audit("commission.created")
    assert (audit.actor, audit.target_id, audit.to_state, audit.note, audit.data) == (
        None,
        str(c.pk),
        "pending",
        "Flat 100.00 EUR per qualified lead",
        {"amount": "100.00", "currency": "EUR", "lead": lead.pk},
    )
    event = Event.objects.get(name="commission.created")
    assert (event.aggregate, event.payload) == (
        f"commission:{c.pk}",
        {
            "commission": c.pk,
            "lead": lead.pk,
            "payee_org": partner_user.partner_organisation_id,
            "amount": "100.00",
            "currency": "EUR",
        },
    )


def test_a_commission_is_dated_by_its_lead_event(partner_user, program):
    plan = CommissionPlan.objects.create(
        name="Flat USD", kind="flat", flat_amount=Decimal("80"), currency="USD", hold_days=14
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    at = datetime(2026, 3, 10, 23, 30, tzinfo=HELSINKI)  # 21:30 UTC, the same day here
    [c] = lead_commissions_apply(lead=lead, event="qualified", at=at)
    c.refresh_from_db()
    assert (c.created_at, c.hold_until, c.currency, c.amount) == (
        at,
        date(2026, 3, 24),
        "USD",
        Decimal("80.00"),
    )


def test_each_plan_pays_on_its_own_event_only(partner_user, employee, program):
    flat = CommissionPlan.objects.create(name="F", kind="flat", flat_amount=Decimal("10"))
    ProgramCommissionSettings.objects.create(program=program, partner_plan=flat)
    lead = submit_lead(partner_user, program)
    assert lead_commissions_apply(lead=lead, event="won", deal_value=Decimal("100")) == []
    percent = CommissionPlan.objects.create(name="P", kind="percent", percent=Decimal("10"))
    PartnerPlan.objects.create(
        organisation=partner_user.partner_organisation, program=program, plan=percent
    )
    assert lead_commissions_apply(lead=lead, event="qualified", deal_value=Decimal("100")) == []
    assert not Commission.objects.exists()
    [c] = lead_commissions_apply(lead=lead, event="won", deal_value=Decimal("250"))
    assert (c.amount, c.event, c.plan_name) == (Decimal("25.00"), "won", "P")


def test_the_deal_value_given_wins_over_the_stored_one(partner_user, reviewer, program):
    plan = CommissionPlan.objects.create(name="P", kind="percent", percent=Decimal("10"))
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000", currency="EUR")
    Commission.objects.all().delete()
    lead.refresh_from_db()
    [c] = lead_commissions_apply(lead=lead, event="won", deal_value=Decimal("300"))
    assert c.amount == Decimal("30.00")


def test_the_basis_names_the_tier_multiplier(partner_user, program):
    plan = CommissionPlan.objects.create(
        name="Tiered",
        kind="tier_percent",
        percent=Decimal("10"),
        cap_per_lead=Decimal("120"),
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    gold = Tier.objects.create(
        program=program, name="Gold", threshold=0, commission_multiplier=Decimal("1.50")
    )
    TierStatus.objects.update_or_create(
        participant=partner_user, program=program, defaults={"tier": gold}
    )
    lead = submit_lead(partner_user, program)
    lead.deal_value, lead.deal_currency = Decimal("1000.00"), "EUR"
    [c] = lead_commissions_apply(lead=lead, event="won")
    assert c.amount == Decimal("120.00")  # 150, capped per lead at 120
    assert c.basis == "10.00% of 1000.00 EUR × tier multiplier 1.50"
    other = submit_lead(partner_user, program)
    other.deal_value, other.deal_currency = Decimal("100.00"), "EUR"
    [small] = lead_commissions_apply(lead=other, event="won")
    assert (small.amount, small.basis) == (
        Decimal("15.00"),
        "10.00% of 100.00 EUR × tier multiplier 1.50",
    )


def test_a_lead_without_a_tier_earns_the_plain_rate(partner_user, program):
    plan = CommissionPlan.objects.create(name="Tiered", kind="tier_percent", percent=Decimal("10"))
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    lead.deal_value, lead.deal_currency = Decimal("200.00"), "EUR"
    [c] = lead_commissions_apply(lead=lead, event="won")
    assert (c.amount, c.basis) == (Decimal("20.00"), "10.00% of 200.00 EUR × tier multiplier 1")


def test_a_month_cap_used_up_creates_nothing(partner_user, program):
    plan = CommissionPlan.objects.create(
        name="Capped", kind="flat", flat_amount=Decimal("100"), cap_per_month=Decimal("100")
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    first, second = submit_lead(partner_user, program), submit_lead(partner_user, program)
    [c] = lead_commissions_apply(lead=first, event="qualified")
    assert (c.amount, c.basis) == (Decimal("100.00"), "Flat 100.00 EUR per qualified lead")
    assert lead_commissions_apply(lead=second, event="qualified") == []
    assert Commission.objects.count() == 1
    assert AuditEvent.objects.filter(action="commission.created").count() == 1


def test_a_capped_commission_says_so(partner_user, program):
    plan = CommissionPlan.objects.create(
        name="Capped", kind="flat", flat_amount=Decimal("100"), cap_per_month=Decimal("100.50")
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead_commissions_apply(lead=submit_lead(partner_user, program), event="qualified")
    [c] = lead_commissions_apply(lead=submit_lead(partner_user, program), event="qualified")
    assert (c.amount, c.basis) == (
        Decimal("0.50"),
        "Flat 100.00 EUR per qualified lead (capped from 100.00)",
    )


def test_the_month_cap_is_measured_in_the_month_of_the_lead_event(partner_user, program):
    plan = CommissionPlan.objects.create(
        name="Capped", kind="flat", flat_amount=Decimal("80"), cap_per_month=Decimal("100")
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    march = datetime(2026, 3, 5, 12, tzinfo=HELSINKI)
    lead_commissions_apply(lead=submit_lead(partner_user, program), event="qualified", at=march)
    [c] = lead_commissions_apply(
        lead=submit_lead(partner_user, program),
        event="qualified",
        at=march + timedelta(days=5),
    )
    assert c.amount == Decimal("20.00")


def test_a_lead_under_fraud_review_earns_a_held_commission(partner_user, reviewer, program):
    plan = CommissionPlan.objects.create(name="F", kind="flat", flat_amount=Decimal("10"))
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    case = fraud_case_open(detector="ring", key="ring:test", leads=[lead.pk], evidence={})
    [c] = lead_commissions_apply(lead=lead, event="qualified")
    assert (c.on_hold, c.hold_reason) == (True, f"Fraud case #{case.pk}")


# --- Employees' bonus -------------------------------------------------------------------------


@pytest.fixture
def bonus_settings(program):
    return ProgramCommissionSettings.objects.create(
        program=program, employee_bonus=Decimal("250.50"), employee_bonus_currency="SEK"
    )


def test_an_employee_bonus_is_paid_per_won_referral_exactly(
    employee, program, bonus_settings, settings
):
    settings.EMPLOYEE_BONUS_HOLD_DAYS = 7
    lead = submit_lead(employee, program)
    at = datetime(2026, 5, 4, 12, 0, tzinfo=HELSINKI)
    assert lead_commissions_apply(lead=lead, event="qualified", at=at) == []
    [bonus] = lead_commissions_apply(lead=lead, event="won", at=at, deal_value=Decimal("10"))
    bonus.refresh_from_db()
    assert (
        bonus.event,
        bonus.amount,
        bonus.currency,
        bonus.payee_user,
        bonus.payee_org,
        bonus.basis,
        bonus.plan_name,
        bonus.hold_until,
        bonus.created_at,
    ) == (
        "employee_bonus",
        Decimal("250.50"),
        "SEK",
        employee,
        None,
        "Employee bonus per won referral",
        "",
        date(2026, 5, 11),
        at,
    )
    assert lead_commissions_apply(lead=lead, event="won", at=at) == []  # once
    assert Commission.objects.count() == 1


def test_no_bonus_for_a_partner_lead_or_without_an_amount(
    partner_user, employee, program, bonus_settings
):
    assert lead_commissions_apply(lead=submit_lead(partner_user, program), event="won") == []
    bonus_settings.employee_bonus = Decimal("0")
    bonus_settings.save()
    assert lead_commissions_apply(lead=submit_lead(employee, program), event="won") == []
    assert not Commission.objects.exists()


def test_no_bonus_without_program_settings(employee, program):
    assert lead_commissions_apply(lead=submit_lead(employee, program), event="won") == []
    assert not Commission.objects.exists()


# --- Approval and holds ------------------------------------------------------------------------


@pytest.fixture
def pending(partner_user, reviewer, program, flat_plan):
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    return Commission.objects.get()


def test_finance_approves_early_with_its_audit_and_event(pending, finance):
    approved = commission_approve(actor=finance, commission=pending, note="Invoice checked")
    pending.refresh_from_db()
    assert (pending.status, approved.status) == ("approved", "approved")
    assert pending.approved_at is not None
    audit = _audit("commission.approved")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note) == (
        finance,
        "pending",
        "approved",
        "Invoice checked",
    )
    event = Event.objects.get(name="commission.approved")
    assert (event.aggregate, event.payload) == (
        f"commission:{pending.pk}",
        {"commission": pending.pk, "lead": pending.lead_id, "actor": finance.pk},
    )


def test_the_hold_period_ending_approves_with_its_own_note(pending):
    commission_approve(actor=None, commission=pending)
    audit = _audit("commission.approved")
    assert (audit.actor, audit.note) == (None, "Hold period ended")
    assert Event.objects.get(name="commission.approved").payload["actor"] is None


def test_finance_approving_without_a_note_leaves_it_empty(pending, finance):
    commission_approve(actor=finance, commission=pending)
    assert _audit("commission.approved").note == ""


def test_only_a_pending_unheld_commission_is_approved(pending, finance):
    commission_set_hold(actor=finance, commission=pending, hold=True, reason="  Invoice missing ")
    with pytest.raises(ValidationError) as refused:
        commission_approve(actor=finance, commission=pending)
    assert refused.value.messages == ["This commission is on hold: Invoice missing"]
    pending.refresh_from_db()
    assert (pending.status, pending.approved_at) == ("pending", None)
    commission_set_hold(actor=finance, commission=pending, hold=False)
    commission_approve(actor=finance, commission=pending)
    with pytest.raises(ValidationError) as refused:
        commission_approve(actor=finance, commission=pending)
    assert refused.value.messages == [
        "Only a pending commission can be approved; this one is approved."
    ]
    assert AuditEvent.objects.filter(action="commission.approved").count() == 1


def test_a_hold_records_its_reason_and_a_release_clears_it(pending, finance):
    held = commission_set_hold(
        actor=finance, commission=pending, hold=True, reason="  Invoice missing "
    )
    pending.refresh_from_db()
    assert (held.on_hold, pending.on_hold, pending.hold_reason) == (True, True, "Invoice missing")
    audit = _audit("commission.hold")
    assert (audit.actor, audit.note, audit.target_id) == (
        finance,
        "  Invoice missing ",
        str(pending.pk),
    )
    commission_set_hold(actor=finance, commission=pending, hold=False, reason="Received")
    pending.refresh_from_db()
    assert (pending.on_hold, pending.hold_reason) == (False, "")
    assert _audit("commission.release").note == "Received"


def test_a_release_needs_no_reason_but_only_finance_may(pending, finance, reviewer):
    commission_set_hold(actor=finance, commission=pending, hold=True, reason="Check")
    with pytest.raises(PermissionDenied, match="Only finance handles commissions and payouts."):
        commission_set_hold(actor=reviewer, commission=pending, hold=False)
    pending.refresh_from_db()
    assert pending.on_hold
    commission_set_hold(actor=finance, commission=pending, hold=False)
    pending.refresh_from_db()
    assert not pending.on_hold
    assert _audit("commission.release").note == ""


def test_a_hold_without_a_reason_is_refused_with_nothing_changed(pending, finance):
    with pytest.raises(ValidationError) as refused:
        commission_set_hold(actor=finance, commission=pending, hold=True, reason="  ")
    assert refused.value.message_dict == {"reason": ["Say why the commission is on hold."]}
    with pytest.raises(ValidationError) as refused:
        commission_set_hold(actor=finance, commission=pending, hold=True)  # no reason given
    assert refused.value.message_dict == {"reason": ["Say why the commission is on hold."]}
    pending.refresh_from_db()
    assert not pending.on_hold
    assert not AuditEvent.objects.filter(action="commission.hold").exists()


def test_an_approved_commission_cannot_be_held(pending, finance):
    commission_approve(actor=finance, commission=pending)
    with pytest.raises(ValidationError) as refused:
        commission_set_hold(actor=finance, commission=pending, hold=True, reason="Late")
    assert refused.value.messages == ["Only a pending commission can be held or released."]
    pending.refresh_from_db()
    assert (pending.status, pending.on_hold) == ("approved", False)


def test_the_beat_approves_on_the_last_day_of_the_hold(pending):
    assert commissions_approve_due(today=pending.hold_until - timedelta(days=1)) == 0
    assert commissions_approve_due(today=pending.hold_until) == 1
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert _audit("commission.approved").note == "Hold period ended"


def test_the_beat_approves_every_commission_due(partner_user, reviewer, program, flat_plan):
    for _ in range(3):
        leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    later = timezone.localdate() + timedelta(days=30)
    assert commissions_approve_due(today=later) == 3
    assert set(Commission.objects.values_list("status", flat=True)) == {"approved"}


# --- Money no lead earned ----------------------------------------------------------------------


def test_a_bonus_is_owed_once_approved_in_cents(employee):
    at = datetime(2026, 6, 1, 0, 30, tzinfo=HELSINKI)
    c = bonus_commission_add(
        source="contest:1:user:1",
        event="contest_prize",
        amount=Decimal("10.005"),
        currency="EUR",
        basis="Prize in June",
        payee_user_id=employee.pk,
        at=at,
    )
    c.refresh_from_db()
    assert (c.event, c.currency, c.source) == ("contest_prize", "EUR", "contest:1:user:1")
    assert (
        c.amount,
        c.status,
        c.payee_user,
        c.payee_org,
        c.hold_until,
        c.created_at,
        c.approved_at,
        c.basis,
        c.lead,
    ) == (
        Decimal("10.01"),
        "approved",
        employee,
        None,
        date(2026, 6, 1),
        at,
        at,
        "Prize in June",
        None,
    )
    audit = _audit("commission.created")
    assert (audit.actor, audit.to_state, audit.note, audit.data) == (
        None,
        "approved",
        "Prize in June",
        {"amount": "10.01", "currency": "EUR", "source": "contest:1:user:1"},
    )
    again = bonus_commission_add(
        source="contest:1:user:1",
        event="contest_prize",
        amount=Decimal("10"),
        currency="EUR",
        basis="x",
        payee_user_id=employee.pk,
    )
    assert again is None and Commission.objects.count() == 1


def test_a_partners_bonus_goes_to_the_organisation(partner_user):
    c = bonus_commission_add(
        source="redemption:9",
        event="reward_bonus",
        amount=Decimal("0.01"),
        currency="EUR",
        basis="Reward",
        payee_user_id=partner_user.pk,
        payee_org_id=partner_user.partner_organisation_id,
    )
    assert (c.payee_org, c.payee_user, c.amount) == (
        partner_user.partner_organisation,
        None,
        Decimal("0.01"),
    )


def test_a_bonus_of_nothing_is_not_owed(employee):
    for amount in ("0", "0.004", "-5"):
        assert (
            bonus_commission_add(
                source=f"x:{amount}",
                event="reward_bonus",
                amount=Decimal(amount),
                currency="EUR",
                basis="b",
                payee_user_id=employee.pk,
            )
            is None
        )
    assert not Commission.objects.exists()
    assert not AuditEvent.objects.filter(action="commission.created").exists()


# --- Fraud holds -------------------------------------------------------------------------------


def test_a_fraud_case_holds_only_unbatched_commissions_and_releases_its_own(
    partner_user, reviewer, finance, program, flat_plan
):
    a, b, c = (submit_lead(partner_user, program) for _ in range(3))
    for lead in (a, b, c):
        leads.lead_qualify(lead=lead, actor=reviewer)
    ca, cb, cc = (Commission.objects.get(lead=lead) for lead in (a, b, c))
    commission_approve(actor=finance, commission=cb)  # approved: still held
    commission_set_hold(actor=finance, commission=cc, hold=True, reason="Finance's own")
    assert lead_commissions_hold(lead_ids=[a.pk, b.pk, c.pk], case_id=7, hold=True) == 2
    ca.refresh_from_db()
    cb.refresh_from_db()
    cc.refresh_from_db()
    assert (ca.on_hold, ca.hold_reason) == (True, "Fraud case #7")
    assert (cb.on_hold, cb.hold_reason) == (True, "Fraud case #7")
    assert cc.hold_reason == "Finance's own"
    audits = AuditEvent.objects.filter(action="commission.hold", actor=None)
    assert sorted(audits.values_list("target_id", "note")) == sorted(
        [(str(ca.pk), "Fraud case #7"), (str(cb.pk), "Fraud case #7")]
    )
    assert lead_commissions_hold(lead_ids=[a.pk, b.pk, c.pk], case_id=8, hold=False) == 0
    assert lead_commissions_hold(lead_ids=[a.pk, b.pk, c.pk], case_id=7, hold=False) == 2
    ca.refresh_from_db()
    cc.refresh_from_db()
    assert (ca.on_hold, ca.hold_reason) == (False, "")
    assert (cc.on_hold, cc.hold_reason) == (True, "Finance's own")
    assert AuditEvent.objects.filter(action="commission.release", note="Fraud case #7").count() == 2


def test_a_fraud_case_leaves_other_leads_and_cancelled_commissions_alone(
    partner_user, reviewer, program, flat_plan
):
    mine, other = submit_lead(partner_user, program), submit_lead(partner_user, program)
    leads.lead_qualify(lead=mine, actor=reviewer)
    leads.lead_qualify(lead=other, actor=reviewer)
    Commission.objects.filter(lead=mine).update(status="cancelled")
    assert lead_commissions_hold(lead_ids=[mine.pk], case_id=3, hold=True) == 0
    assert not Commission.objects.filter(on_hold=True).exists()


# --- The month a cap is measured against -------------------------------------------------------


def _commission(org, *, at, amount="100", plan_name="Flat", **kw):
    return Commission.objects.create(
        payee_org=org,
        event=kw.pop("event", "qualified"),
        amount=Decimal(amount),
        currency="EUR",
        plan_name=plan_name,
        hold_until=at.date(),
        created_at=at,
        **kw,
    )


def test_month_total_counts_one_payee_and_plan_from_the_first_instant(acme, program):
    start = datetime(2026, 3, 1, 0, 0, tzinfo=HELSINKI)
    _commission(acme, at=start, amount="10.10")
    _commission(acme, at=start - timedelta(microseconds=1), amount="1000")  # February
    _commission(acme, at=start + timedelta(days=5), amount="0.20")
    _commission(acme, at=start, amount="500", plan_name="Other")
    _commission(PartnerUserFactory().partner_organisation, at=start, amount="500")
    _commission(acme, at=start, amount="500", status="cancelled")
    original = _commission(acme, at=start, amount="40", plan_name="Other", status="approved")
    _commission(
        acme, at=start, amount="-700", event="clawback", reverses=original, status="approved"
    )
    # The month starts at its first instant, whatever the seconds of ``when``.
    when = datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=HELSINKI)
    assert month_total(
        payee_org_id=acme.pk, payee_user_id=None, plan_name="Flat", when=when
    ) == Decimal("10.30")


def test_month_total_of_an_employee_counts_only_their_own(db):
    start = datetime(2026, 3, 1, 0, 0, tzinfo=HELSINKI)
    alice, bob = UserFactory(), UserFactory()
    _commission(None, payee_user=alice, at=start + timedelta(days=2), amount="25.00")
    _commission(None, payee_user=bob, at=start + timedelta(days=2), amount="70.00")
    when = datetime(2026, 3, 20, 12, 30, tzinfo=HELSINKI)
    assert month_total(
        payee_org_id=None, payee_user_id=alice.pk, plan_name="Flat", when=when
    ) == Decimal("25.00")
