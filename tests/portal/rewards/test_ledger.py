# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.leads import services as leads
from portal.leads.models import LeadStatus
from portal.rewards.models import LedgerEntry, PointRule
from portal.rewards.selectors import balance_of, ledger_sum
from portal.rewards.services import lead_event_apply
from tests.factories import UserFactory, submit_lead


def test_default_rules_award_points_through_the_lifecycle(employee, reviewer, program):
    lead = submit_lead(employee, program)
    assert balance_of(participant=employee) == 10
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000", currency="EUR")
    assert balance_of(participant=employee) == 260
    assert list(
        LedgerEntry.objects.filter(lead=lead).order_by("pk").values_list("event", "amount")
    ) == [("submitted", 10), ("qualified", 50), ("won", 200)]


def test_program_rules_replace_the_defaults(employee, reviewer, program):
    PointRule.objects.create(program=program, event="submitted", points=5)
    PointRule.objects.create(program=program, event="qualified", points=80)
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    assert balance_of(participant=employee) == 85


def test_the_same_award_twice_is_one_row(employee, program):
    lead = submit_lead(employee, program)
    lead_event_apply(lead=lead, event="submitted")
    lead_event_apply(lead=lead, event="submitted")
    assert LedgerEntry.objects.filter(lead=lead, event="submitted").count() == 1
    assert balance_of(participant=employee) == 10


def test_rejecting_a_qualified_lead_writes_a_reversal_never_an_edit(employee, reviewer, program):
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    original = list(
        LedgerEntry.objects.filter(lead=lead).order_by("pk").values_list("pk", "amount")
    )
    leads.lead_reject(lead=lead, actor=reviewer, reason="invalid", note="Fake company")
    assert balance_of(participant=employee) == 0
    entries = LedgerEntry.objects.filter(lead=lead).order_by("pk")
    assert list(entries.values_list("pk", "amount"))[:2] == original  # untouched
    assert sorted(entries.filter(amount__lt=0).values_list("event", "amount")) == [
        ("qualified.reversed", -50),
        ("submitted.reversed", -10),
    ]


def test_rejected_submissions_earn_nothing(employee, program):
    submit_lead(employee, program, email=employee.email)  # self-referral: rejected at once
    assert balance_of(participant=employee) == 0


def test_two_sided_program_awards_the_referred_participant(employee, reviewer, program):
    program.two_sided = True
    program.save()
    PointRule.objects.create(program=program, event="qualified", beneficiary="referred", points=25)
    PointRule.objects.create(program=program, event="qualified", beneficiary="referrer", points=50)
    friend = UserFactory(email="friend@friendco.example")
    lead = submit_lead(employee, program, email="Friend@FriendCo.example")
    leads.lead_qualify(lead=lead, actor=reviewer)
    assert balance_of(participant=friend) == 25 and balance_of(participant=employee) == 50


ACTIONS = st.lists(
    st.sampled_from(["submit", "qualify", "win", "reject", "withdraw", "redeem", "cancel"]),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_balance_always_equals_the_ledger_sum(actions, reviewer, program):
    from portal.rewards.models import RewardItem
    from portal.rewards.redemptions import redemption_request, redemption_transition

    participant = UserFactory()
    item = RewardItem.objects.create(name="Mug", kind="swag", points_price=30)
    opened, redemptions = [], []
    for action in actions:
        try:
            if action == "submit":
                opened.append(submit_lead(participant, program))
            elif action in {"qualify", "win", "reject", "withdraw"} and opened:
                lead = opened[-1]
                lead.refresh_from_db()
                if action == "qualify" and lead.status == LeadStatus.SUBMITTED:
                    leads.lead_qualify(lead=lead, actor=reviewer)
                elif action == "win" and lead.status == LeadStatus.QUALIFIED:
                    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="10", currency="EUR")
                elif action == "reject" and lead.status in {
                    LeadStatus.SUBMITTED,
                    LeadStatus.QUALIFIED,
                }:
                    leads.lead_reject(lead=lead, actor=reviewer, reason="invalid")
                elif action == "withdraw" and lead.status == LeadStatus.SUBMITTED:
                    leads.lead_withdraw(lead=lead, actor=participant)
            elif action == "redeem":
                before = balance_of(participant=participant)
                try:
                    redemptions.append(redemption_request(participant=participant, item=item))
                except ValidationError:
                    assert before < item.points_price  # refused only when it cannot pay
                else:
                    # Spending never overdraws (a later reversal may: points are taken
                    # back in full, and the debt is earned back before the next reward).
                    assert before >= item.points_price
                    assert balance_of(participant=participant) >= 0
            elif action == "cancel" and redemptions:
                redemption = redemptions.pop()
                redemption_transition(redemption=redemption, actor=participant, action="cancel")
        finally:
            assert balance_of(participant=participant) == ledger_sum(participant=participant)
