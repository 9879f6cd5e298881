# SPDX-License-Identifier: AGPL-3.0-or-later
"""Points by their records: each ledger entry, its balance and its event; what each lead
event earns or takes back; tier changes with their log, audit, event and notice; badges
once; and fraud holds that give back exactly what they took."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.events.models import Event
from portal.leads import services as leads
from portal.notifications.models import Notification
from portal.rewards.models import (
    Badge,
    BadgeAward,
    LedgerEntry,
    OfferCode,
    PointRule,
    Tier,
    TierChange,
    TierStatus,
)
from portal.rewards.selectors import balance_of
from portal.rewards.services import (
    badge_award,
    badges_award_top_of_month,
    badges_evaluate,
    lead_event_apply,
    lead_points_hold,
    lead_points_release,
    ledger_add,
    tier_recompute,
    tiers_recompute_all,
)
from tests.factories import UserFactory, submit_lead

HELSINKI = ZoneInfo("Europe/Helsinki")


def _entries(lead):
    return list(
        LedgerEntry.objects.filter(lead=lead)
        .order_by("pk")
        .values_list("participant", "event", "amount", "reason")
    )


# --- The ledger ---------------------------------------------------------------------------------


def test_an_entry_moves_the_balance_and_says_so(employee, program):
    at = datetime(2026, 2, 3, 4, 5, tzinfo=HELSINKI)
    entry = ledger_add(
        participant=employee,
        amount=40,
        event="adjustment",
        reason="Goodwill",
        program=program,
        at=at,
    )
    entry.refresh_from_db()
    assert (entry.amount, entry.event, entry.reason, entry.program, entry.created_at) == (
        40,
        "adjustment",
        "Goodwill",
        program,
        at,
    )
    ledger_add(participant=employee, amount=-15, event="adjustment", reason="Fix")
    assert balance_of(participant=employee) == 25
    first, second = Event.objects.filter(name="points.recorded").order_by("pk")
    assert (first.aggregate, first.occurred_at, first.payload) == (
        f"user:{employee.pk}",
        at,
        {
            "entry": entry.pk,
            "participant": employee.pk,
            "amount": 40,
            "event": "adjustment",
            "program": program.pk,
            "lead": None,
            "balance": 40,
        },
    )
    assert (second.payload["balance"], second.payload["program"], second.payload["amount"]) == (
        25,
        None,
        -15,
    )


def test_an_entry_already_written_changes_nothing(employee, program):
    lead = submit_lead(employee, program)
    before = (balance_of(participant=employee), Event.objects.count())
    again = ledger_add(
        participant=employee, amount=10, event="submitted", reason="x", program=program, lead=lead
    )
    assert again is None
    assert (balance_of(participant=employee), Event.objects.count()) == before
    payload = Event.objects.filter(name="points.recorded").latest("pk").payload
    assert payload["lead"] == lead.pk


# --- Lead events ---------------------------------------------------------------------------------


def test_each_lead_event_writes_its_entry_dated_and_named(employee, reviewer, program):
    lead = submit_lead(employee, program)
    at = timezone.now() + timedelta(minutes=1)
    LedgerEntry.objects.filter(lead=lead).delete()
    Tier.objects.create(program=program, name="Starter", threshold=1)
    lead_event_apply(lead=lead, event="qualified", at=at)
    entry = LedgerEntry.objects.get(lead=lead)
    assert (entry.participant, entry.event, entry.amount, entry.reason, entry.created_at) == (
        employee,
        "qualified",
        50,
        f"Lead qualified: lead #{lead.pk}",
        at,
    )
    assert entry.program == program
    change = TierChange.objects.get()
    assert (change.reason, change.created_at, change.to_tier.name) == (
        f"Lead #{lead.pk}",
        at,
        "Starter",
    )
    assert not OfferCode.objects.exists()  # welcome codes are for two-sided programs


def test_a_reversal_takes_back_a_single_point(employee, program):
    PointRule.objects.create(program=program, event="submitted", points=1)
    lead = submit_lead(employee, program)
    lead_event_apply(lead=lead, event="reversed")
    assert balance_of(participant=employee) == 0


def test_a_rule_of_zero_points_writes_nothing(employee, program):
    PointRule.objects.create(program=program, event="submitted", points=0)
    lead = submit_lead(employee, program)
    assert _entries(lead) == []


def test_an_event_that_earns_nothing_changes_no_points(employee, program):
    lead = submit_lead(employee, program)
    before = _entries(lead)
    lead_event_apply(lead=lead, event="lost")
    assert _entries(lead) == before


def test_a_reversal_takes_back_each_event_once_and_dated(employee, reviewer, program):
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    at = datetime(2026, 1, 9, 12, tzinfo=HELSINKI)
    lead_event_apply(lead=lead, event="reversed", at=at)
    lead_event_apply(lead=lead, event="reversed", at=at)  # nothing left to take back
    reversals = LedgerEntry.objects.filter(lead=lead, amount__lt=0).order_by("event")
    assert [(e.event, e.amount, e.reason, e.created_at) for e in reversals] == [
        ("qualified.reversed", -50, f"Reversal: lead #{lead.pk}", at),
        ("submitted.reversed", -10, f"Reversal: lead #{lead.pk}", at),
    ]
    assert balance_of(participant=employee) == 0


def test_a_reversed_win_takes_back_only_the_win(employee, reviewer, program):
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="10", currency="EUR")
    lead_event_apply(lead=lead, event="won_reversed")
    negative = LedgerEntry.objects.filter(lead=lead, amount__lt=0)
    assert list(negative.values_list("event", "amount")) == [("won.reversed", -200)]
    assert balance_of(participant=employee) == 60


def test_a_two_sided_program_awards_the_referred_participant_only_there(employee, program):
    PointRule.objects.create(program=program, event="submitted", beneficiary="referred", points=7)
    PointRule.objects.create(program=program, event="submitted", beneficiary="referrer", points=3)
    friend = UserFactory(email="friend@friendco.example")
    submit_lead(employee, program, email="friend@friendco.example")
    assert (balance_of(participant=friend), balance_of(participant=employee)) == (0, 3)
    program.two_sided = True
    program.save()
    submit_lead(employee, program, email="Friend@FriendCo.example")
    assert (balance_of(participant=friend), balance_of(participant=employee)) == (7, 6)


# --- Tiers -----------------------------------------------------------------------------------------


@pytest.fixture
def ladder(program):
    return [
        Tier.objects.create(program=program, name="Bronze", threshold=10),
        Tier.objects.create(program=program, name="Silver", threshold=100),
    ]


def test_a_promotion_leaves_its_log_audit_event_and_notice(employee, program, ladder):
    bronze, silver = ladder
    ledger_add(participant=employee, amount=10, event="adjustment", reason="t", program=program)
    at = timezone.now()
    LedgerEntry.objects.update(created_at=at - timedelta(minutes=2))
    at -= timedelta(minutes=1)
    assert tier_recompute(participant=employee, program=program, reason="First", at=at) == bronze
    assert TierChange.objects.get().created_at == at
    ledger_add(participant=employee, amount=90, event="adjustment", reason="t", program=program)
    LedgerEntry.objects.update(created_at=at - timedelta(minutes=2))
    later = at + timedelta(seconds=5)
    assert tier_recompute(participant=employee, program=program, reason="More", at=later) == silver
    change = TierChange.objects.filter(to_tier=silver).get()
    assert (change.from_tier, change.points, change.reason, change.created_at) == (
        bronze,
        100,
        "More",
        later,
    )
    status = TierStatus.objects.get(participant=employee, program=program)
    assert (status.tier, status.since) == (silver, later)
    audit = AuditEvent.objects.filter(action="tier.changed").latest("pk")
    assert (audit.actor, audit.from_state, audit.to_state, audit.note, audit.target_id) == (
        None,
        "Bronze",
        "Silver",
        "More",
        str(change.pk),
    )
    event = Event.objects.filter(name="tier.changed").latest("pk")
    assert (event.aggregate, event.occurred_at, event.payload) == (
        f"user:{employee.pk}",
        later,
        {
            "change": change.pk,
            "participant": employee.pk,
            "program": program.pk,
            "from": bronze.pk,
            "to": silver.pk,
            "promoted": True,
        },
    )
    first_audit = AuditEvent.objects.filter(action="tier.changed").earliest("pk")
    assert (first_audit.from_state, first_audit.to_state) == ("", "Bronze")
    assert Notification.objects.filter(user=employee, kind="tier_up").count() == 2


def test_falling_out_of_every_tier_is_logged_not_celebrated(employee, program, ladder):
    bronze, _silver = ladder
    ledger_add(participant=employee, amount=10, event="adjustment", reason="t", program=program)
    tier_recompute(participant=employee, program=program, reason="t")
    LedgerEntry.objects.update(created_at=timezone.now() - timedelta(days=400))
    assert tier_recompute(participant=employee, program=program, reason="Rolling period") is None
    event = Event.objects.filter(name="tier.changed").latest("pk")
    assert (event.payload["from"], event.payload["to"], event.payload["promoted"]) == (
        bronze.pk,
        None,
        False,
    )
    audit = AuditEvent.objects.filter(action="tier.changed").latest("pk")
    assert (audit.from_state, audit.to_state) == ("Bronze", "")
    assert Notification.objects.filter(user=employee, kind="tier_up").count() == 1


def test_no_change_no_record(employee, program, ladder):
    ledger_add(participant=employee, amount=5, event="adjustment", reason="t", program=program)
    assert tier_recompute(participant=employee, program=program, reason="t") is None
    assert (
        not TierChange.objects.exists() and not Event.objects.filter(name="tier.changed").exists()
    )


def test_a_late_event_never_dates_a_change_before_the_last_decision(employee, program, ladder):
    bronze, silver = ladder
    ledger_add(participant=employee, amount=100, event="adjustment", reason="t", program=program)
    decided = timezone.now()
    tier_recompute(participant=employee, program=program, reason="t", at=decided)
    LedgerEntry.objects.update(created_at=decided - timedelta(days=400))
    late = decided - timedelta(days=1)
    tier_recompute(participant=employee, program=program, reason="late", at=late)
    status = TierStatus.objects.get(participant=employee, program=program)
    assert (status.tier, status.since) == (None, decided)


def test_the_daily_recompute_counts_the_changes(employee, program, ladder):
    other = UserFactory()
    for person in (employee, other):
        ledger_add(participant=person, amount=10, event="adjustment", reason="t", program=program)
        tier_recompute(participant=person, program=program, reason="t")
    LedgerEntry.objects.filter(participant=employee).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert tiers_recompute_all() == 1
    assert TierChange.objects.filter(participant=employee).latest("pk").reason == "Rolling period"
    assert tiers_recompute_all() == 0


# --- Badges --------------------------------------------------------------------------------------


def test_a_badge_is_awarded_once_with_its_note_and_notice(employee):
    badge = Badge.objects.create(slug="x", name="X", description="", criterion="won", threshold=9)
    award = badge_award(badge=badge, participant=employee, note="why")
    assert (award.badge, award.participant, award.note) == (badge, employee, "why")
    assert badge_award(badge=badge, participant=employee) is None
    assert Notification.objects.filter(user=employee, kind="badge").count() == 1


def test_badges_are_reached_at_their_threshold(employee, program):
    Badge.objects.create(slug="two", name="Two", description="", criterion="submitted", threshold=2)
    Badge.objects.create(slug="three", name="3", description="", criterion="submitted", threshold=3)
    Badge.objects.create(slug="q", name="Q", description="", criterion="qualified", threshold=1)
    submit_lead(employee, program)
    submit_lead(employee, program)
    slugs = set(
        BadgeAward.objects.filter(participant=employee).values_list("badge__slug", flat=True)
    )
    assert slugs == {"first-referral", "two"}
    assert set(BadgeAward.objects.values_list("note", flat=True)) == {""}
    assert badges_evaluate(participant=employee) == []


def test_an_event_evaluates_only_the_badges_it_can_move(employee, program):
    """A submission counts toward submission badges; a "qualified" badge waits for a
    qualification, which is the only event that can move it."""
    Badge.objects.create(slug="sub", name="S", description="", criterion="submitted", threshold=0)
    Badge.objects.create(slug="q", name="Q", description="", criterion="qualified", threshold=0)
    assert {
        b.badge.slug for b in badges_evaluate(participant=employee, criteria={"submitted"})
    } == {"sub"}
    assert not BadgeAward.objects.filter(participant=employee, badge__slug="q").exists()
    assert {
        b.badge.slug for b in badges_evaluate(participant=employee, criteria={"qualified"})
    } == {"q"}


def test_top_of_month_ranks_earned_points_of_that_month_only(program):
    a, b, c, d = (UserFactory() for _ in range(4))
    october = datetime(2026, 10, 1, 0, 0, tzinfo=HELSINKI)

    def earn(user, points, when, event="adjustment"):
        entry = ledger_add(participant=user, amount=points, event=event, reason="t")
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=when)

    earn(a, 10, october)
    earn(b, 30, october + timedelta(days=30, hours=23))
    earn(c, 20, october)
    earn(a, 500, october, event="redemption.refund")  # spending moves no rank
    earn(d, 1000, october - timedelta(microseconds=1))  # September
    earn(d, 5, datetime(2026, 11, 1, tzinfo=HELSINKI))  # November
    Badge.objects.filter(slug="top-three-month").update(threshold=2)
    assert badges_award_top_of_month(year=2026, month=10) == 2
    awards = BadgeAward.objects.filter(badge__slug="top-three-month")
    assert {(w.participant, w.note) for w in awards} == {(b, "2026-10"), (c, "2026-10")}


def test_a_month_that_earned_nothing_earns_no_top_badge(program):
    user = UserFactory()
    for amount in (5, -5):
        entry = ledger_add(participant=user, amount=amount, event="adjustment", reason="t")
        LedgerEntry.objects.filter(pk=entry.pk).update(
            created_at=datetime(2026, 10, 5, tzinfo=HELSINKI)
        )
    assert badges_award_top_of_month(year=2026, month=10) == 0


# --- Fraud holds ---------------------------------------------------------------------------------


def test_a_hold_takes_what_the_lead_earned_and_the_release_gives_it_back(
    employee, reviewer, program
):
    someone = UserFactory()
    lead, other = submit_lead(employee, program), submit_lead(someone, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    at = datetime(2026, 3, 3, 3, tzinfo=HELSINKI)
    assert lead_points_hold(lead=other, case_id=6, at=at) == 10  # another lead, another case
    assert lead_points_hold(lead=lead, case_id=5, at=at) == 60
    assert lead_points_hold(lead=lead, case_id=5, at=at) == 0  # once
    assert balance_of(participant=employee) == 0
    held = LedgerEntry.objects.filter(lead=lead, event__startswith="fraud.hold:").order_by("event")
    assert [(e.event, e.amount, e.reason, e.created_at, e.program) for e in held] == [
        ("fraud.hold:qualified", -50, f"Held: fraud case #5, lead #{lead.pk}", at, program),
        ("fraud.hold:submitted", -10, f"Held: fraud case #5, lead #{lead.pk}", at, program),
    ]
    assert lead_points_release(lead=lead, case_id=5, at=at) == 60
    assert lead_points_release(lead=lead, case_id=5, at=at) == 0
    assert balance_of(participant=employee) == 60
    released = LedgerEntry.objects.filter(event__startswith="fraud.release:").order_by("event")
    assert [(e.lead, e.event, e.amount, e.reason, e.created_at, e.program) for e in released] == [
        (
            lead,
            "fraud.release:qualified",
            50,
            f"Released: fraud case #5, lead #{lead.pk}",
            at,
            program,
        ),
        (
            lead,
            "fraud.release:submitted",
            10,
            f"Released: fraud case #5, lead #{lead.pk}",
            at,
            program,
        ),
    ]
    assert balance_of(participant=someone) == 0  # the other lead's hold stays
    # Held once per lead, event and participant: released points are not held again.
    assert lead_points_hold(lead=lead, case_id=9, at=at) == 0
