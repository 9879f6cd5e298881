# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight rollups follow lead and points events, and always equal what the raw
tables say (and what a rebuild from scratch gives), whatever the sequence of events and
however late the events are handled."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from portal.events import services as events
from portal.insight.models import LeadDaily, LeadFact, PointsDaily
from portal.insight.selectors import lead_daily_from_source, lead_daily_rollup
from portal.insight.services import insight_rebuild, local_day
from portal.leads import services as leads
from portal.leads.models import Lead
from portal.rewards.models import LedgerEntry
from tests.factories import PartnerUserFactory, ProgramFactory, UserFactory, submit_lead

ACTIONS = ["submit", "review", "qualify", "reject", "win", "lose", "withdraw", "reverse", "drain"]
STEPS = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(ACTIONS)), max_size=25)


def _act(action: str, lead: Lead, reviewer) -> None:
    lead.refresh_from_db()
    calls = {
        "review": lambda: leads.lead_start_review(lead=lead, actor=reviewer),
        "qualify": lambda: leads.lead_qualify(lead=lead, actor=reviewer),
        "reject": lambda: leads.lead_reject(lead=lead, actor=reviewer, reason="invalid"),
        "win": lambda: leads.lead_mark_won(
            lead=lead, actor=reviewer, deal_value="1200.00", currency="EUR"
        ),
        "lose": lambda: leads.lead_mark_lost(lead=lead, actor=reviewer, reason="Budget"),
        "withdraw": lambda: leads.lead_withdraw(lead=lead, actor=lead.referrer),
        "reverse": lambda: leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refund"),
    }
    with contextlib.suppress(ValidationError, PermissionDenied):  # a step the state refuses
        calls[action]()


def _points_from_ledger() -> dict:
    rows = (
        LedgerEntry.objects.filter(lead__isnull=False, program__isnull=False)
        .values_list("participant_id", "created_at", "program_id", "amount")
        .order_by()
    )
    out: dict = {}
    for participant, at, program, amount in rows:
        key = (participant, local_day(at), program)
        out[key] = out.get(key, 0) + amount
    return out


def _points_rollup() -> dict:
    return {(r.participant_id, r.day, r.program_id): r.points for r in PointsDaily.objects.all()}


@pytest.mark.django_db
@hsettings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_rollups_equal_the_live_query_after_any_sequence_of_lead_events(
    steps, reviewer, monkeypatch
):
    # Events wait in the outbox until a "drain" step: late handling must count the same.
    monkeypatch.setattr(events, "_kick", lambda event_id: None)
    program = ProgramFactory()
    people = [PartnerUserFactory(), UserFactory(), UserFactory()]
    lead_list: list[Lead] = []
    for target, action in steps:
        if action == "drain":
            events.events_drain()
        elif action == "submit" or not lead_list:
            source = ["form", "link", "api"][target % 3]
            lead_list.append(submit_lead(people[target % 3], program, source=source))
        else:
            _act(action, lead_list[target % len(lead_list)], reviewer)
    events.events_drain()
    live = lead_daily_from_source()
    assert lead_daily_rollup() == live
    assert LeadFact.objects.count() == Lead.objects.count()
    assert _points_rollup() == _points_from_ledger()
    insight_rebuild()
    assert lead_daily_rollup() == live
    assert _points_rollup() == _points_from_ledger()


@pytest.mark.django_db
def test_a_lead_counts_in_the_day_it_was_submitted_and_each_step_once(reviewer, employee):
    program = ProgramFactory()
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="500.00", currency="EUR")
    leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Chargeback")
    row = LeadDaily.objects.get()
    assert (row.day, row.submitted, row.qualified, row.won, row.reversed) == (
        timezone.localdate(),
        1,
        1,
        1,
        1,
    )
    fact = LeadFact.objects.get()
    assert fact.deal_value == 500 and fact.deal_currency == "EUR"
    assert fact.qualified_at <= fact.won_at <= fact.reversed_at


@pytest.mark.django_db
def test_rebuild_insight_recreates_lost_rollups(reviewer, employee):
    program = ProgramFactory()
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    Lead.objects.filter(pk=lead.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    before = lead_daily_from_source()
    LeadDaily.objects.all().delete()
    LeadFact.objects.all().delete()
    PointsDaily.objects.all().delete()
    call_command("rebuild_insight")
    assert lead_daily_rollup() == before
    assert next(iter(before))[1] == timezone.localdate() - timedelta(days=3)
    assert PointsDaily.objects.aggregate(s=Sum("points"))["s"] == 60  # +10 submitted, +50
