# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight rollups follow lead and points events, and always equal what the raw
tables say (and what a rebuild from scratch gives), whatever the sequence of events and
however late the events are handled."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

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
from portal.insight.selectors import (
    coarse_from_source,
    coarse_rollups,
    durations_from_facts,
    durations_rollup,
    lead_daily_from_source,
    lead_daily_rollup,
)
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


def _months_rollup() -> dict:
    """ReferrerMonth by (referrer, month, organisation, team), empty rows left out."""
    from portal.insight.models import ReferrerMonth

    return {
        (r.referrer_id, r.month, r.organisation_id, r.team_id): (
            r.submitted,
            r.qualified,
            r.won,
            r.reversed,
        )
        for r in ReferrerMonth.objects.all()
        if r.submitted
    }


def _months_from_days() -> dict:
    """What ReferrerMonth must hold: the day rows summed by month (with their organisation
    and team), and, without those, the live counts summed by month."""
    out: dict = {}
    for r in LeadDaily.objects.all():
        key = (r.referrer_id, r.day.replace(day=1), r.organisation_id, r.team_id)
        c = out.setdefault(key, [0, 0, 0, 0])
        for i, n in enumerate((r.submitted, r.qualified, r.won, r.reversed)):
            c[i] += n
    return {k: tuple(v) for k, v in out.items() if v[0]}


def _by_referrer_month(rows: dict) -> dict:
    """(referrer, day or month, ...) → counts, summed by referrer and month."""
    out: dict = {}
    for key, counts in rows.items():
        k = (key[0], key[1].replace(day=1))
        c = out.setdefault(k, [0, 0, 0, 0])
        for i, n in enumerate(counts):
            c[i] += n
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
    coarse = coarse_from_source()
    assert lead_daily_rollup() == live
    assert coarse_rollups() == coarse
    assert durations_rollup() == durations_from_facts()
    assert _months_rollup() == _months_from_days()
    assert _by_referrer_month(_months_rollup()) == _by_referrer_month(live)
    assert LeadFact.objects.count() == Lead.objects.count()
    assert _points_rollup() == _points_from_ledger()
    insight_rebuild()
    assert lead_daily_rollup() == live
    assert coarse_rollups() == coarse
    assert durations_rollup() == durations_from_facts()
    assert _months_rollup() == _months_from_days()
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


def _raw_figures(*, start, end, organisation_id=None, program_id=None) -> dict:
    """The page's funnel counts by source and revenue by currency for the days [start,
    end], straight from the leads and their audit trail (no rollup)."""
    from portal.audit.models import AuditEvent
    from portal.core.dates import local_midnight

    since, until = local_midnight(start), local_midnight(end + timedelta(days=1))
    lead_q = {"organisation_id": organisation_id} if organisation_id else {}
    if program_id:
        lead_q["program_id"] = program_id
    first: dict = {}
    for target, state, at in AuditEvent.objects.filter(
        action__startswith="lead.", to_state__in=["qualified", "won"]
    ).values_list("target_id", "to_state", "created_at"):
        key = (int(target), state)
        first[key] = min(at, first.get(key, at))
    funnel: dict = {}
    revenue: dict = {}
    for lead in Lead.objects.filter(**lead_q):
        if since <= lead.submitted_at < until:
            c = funnel.setdefault(lead.source, [0, 0, 0])
            c[0] += 1
            c[1] += (lead.pk, "qualified") in first
            c[2] += (lead.pk, "won") in first
        won_at = first.get((lead.pk, "won"))
        if won_at and since <= won_at < until and lead.deal_reversed_at is None:
            r = revenue.setdefault(lead.deal_currency, [0, Decimal("0.00")])
            r[0] += 1
            r[1] += lead.deal_value
    return {"funnel": funnel, "revenue": revenue}


def _page_figures(*, start, end, scope, program_id=None) -> dict:
    from portal.insight.selectors import InsightFilters, insight_funnel, insight_money

    filters = InsightFilters(start=start, end=end, program_id=program_id)
    return {
        "funnel": {
            r.source: [r.submitted, r.qualified, r.won]
            for r in insight_funnel(scope=scope, filters=filters)
            if r.source and r.submitted
        },
        "revenue": {
            r.currency: [r.won, r.revenue]
            for r in insight_money(scope=scope, filters=filters)
            if r.won
        },
    }


@pytest.mark.django_db
def test_coarse_rollups_equal_the_raw_tables_for_a_factory_history(reviewer):
    """Leads of two organisations and of employees, two programs, three sources, won in
    two currencies, some reversed, on days around local midnight: the rollups without the
    referrer (kept by the events, then rebuilt from scratch) hold what the raw tables say,
    and the reviewer's and a partner admin's funnel and money equal the raw figures."""
    from portal.core.dates import local_midnight
    from portal.insight.models import FunnelDaily, RevenueDaily
    from portal.insight.selectors import InsightScope, coarse_from_source, coarse_rollups

    programs = [ProgramFactory(), ProgramFactory()]
    acme, beta = PartnerUserFactory(), PartnerUserFactory()
    people = [acme, beta, UserFactory()]
    made = []
    for i in range(24):
        lead = submit_lead(people[i % 3], programs[i % 2], source=["form", "link", "api"][i % 3])
        made.append(lead)
        if i % 4 != 3:
            leads.lead_qualify(lead=lead, actor=reviewer)
        if i % 4 in (1, 2):
            leads.lead_mark_won(
                lead=lead,
                actor=reviewer,
                deal_value=f"{100 + i * 37}.{i:02d}",
                currency="EUR" if i % 3 else "SEK",
            )
        if i % 8 == 1:
            leads.lead_reverse_deal(lead=lead, actor=reviewer, reason="Refund")
    funnel, revenue = coarse_from_source()
    assert coarse_rollups() == (funnel, revenue)  # kept by the events
    assert sum(v[0] for v in revenue.values()) == 9 and len({k[3] for k in revenue}) == 2
    assert all(
        isinstance(v[1], Decimal) and v[1] == v[1].quantize(Decimal("0.01"))
        for v in revenue.values()
    )

    # Spread them over days, either side of local midnight, then rebuild from scratch.
    from portal.audit.models import AuditEvent

    today = timezone.localdate()
    for i, lead in enumerate(made):
        midnight = local_midnight(today - timedelta(days=i % 6 * 9))
        submitted = midnight + timedelta(minutes=-20 if i % 2 else 20)
        Lead.objects.filter(pk=lead.pk).update(
            submitted_at=submitted,
            deal_reversed_at=None
            if Lead.objects.get(pk=lead.pk).deal_reversed_at is None
            else submitted,
        )
        for n, event in enumerate(
            AuditEvent.objects.filter(target_id=str(lead.pk), action__startswith="lead.").order_by(
                "pk"
            )
        ):
            AuditEvent.objects.filter(pk=event.pk).update(
                created_at=submitted + timedelta(days=n * (i % 5), minutes=n)
            )
    FunnelDaily.objects.update(submitted=99)  # stale: the rebuild replaces them
    RevenueDaily.objects.all().delete()
    insight_rebuild()
    funnel, revenue = coarse_from_source()
    assert coarse_rollups() == (funnel, revenue)
    assert durations_rollup() == durations_from_facts()
    assert len({k[0] for k in funnel}) >= 6
    for start, end in [(today - timedelta(days=29), today), (today - timedelta(days=89), today)]:
        raw = _raw_figures(start=start, end=end)
        assert raw["funnel"] and raw["revenue"]
        assert _page_figures(start=start, end=end, scope=InsightScope(everything=True)) == raw
        org = acme.partner_organisation_id
        assert _page_figures(
            start=start, end=end, scope=InsightScope(organisation_id=org)
        ) == _raw_figures(start=start, end=end, organisation_id=org)
        assert _page_figures(
            start=start,
            end=end,
            scope=InsightScope(everything=True),
            program_id=programs[1].pk,
        ) == _raw_figures(start=start, end=end, program_id=programs[1].pk)


@pytest.mark.django_db
def test_a_lead_stays_with_the_team_its_referrer_was_in_when_it_was_submitted(reviewer, client):
    """A manager's figures follow the team at submission: someone who moves to another
    team leaves their earlier leads with the old one, also after a rebuild."""
    from portal.accounts.models import User
    from portal.insight.selectors import InsightFilters, InsightScope, insight_funnel
    from tests.factories import TeamFactory

    old, new = TeamFactory(), TeamFactory()
    person = UserFactory(team=old)
    program = ProgramFactory()
    first = submit_lead(person, program)
    leads.lead_qualify(lead=first, actor=reviewer)
    User.objects.filter(pk=person.pk).update(team=new)
    person.refresh_from_db()
    submit_lead(person, program)

    def submitted(team):
        rows = insight_funnel(scope=InsightScope(team_ids=(team.pk,)), filters=InsightFilters())
        return rows[-1].submitted, rows[-1].qualified

    assert (submitted(old), submitted(new)) == ((1, 1), (1, 0))
    insight_rebuild()
    assert (submitted(old), submitted(new)) == ((1, 1), (1, 0))
    assert LeadFact.objects.get(lead=first).team_id == old.pk


DURATIONS = st.lists(
    st.one_of(
        st.integers(0, 10**11),  # under a day or so
        st.integers(0, 40 * 24 * 3600 * 10**6),  # up to 40 days
        st.sampled_from([2 * 24 * 3600 * 10**6, 8 * 24 * 3600 * 10**6]),  # equal times
    ),
    min_size=1,
    max_size=60,
)


@hsettings(max_examples=200, deadline=None)
@given(durations=DURATIONS)
def test_the_median_from_duration_buckets_is_within_its_bucket_and_exact_for_equal_times(
    durations,
):
    """The funnel's median time in a step, read from duration buckets, is off the exact
    median by less than the width of the buckets of the middle durations (15 minutes under
    a day, an hour under 30 days, a day beyond), and exact when those are equal."""
    import statistics

    from portal.insight.models import DAY_US, HOUR_US, MONTH_US, QUARTER_HOUR_US, duration_bucket
    from portal.insight.selectors import _median_of_buckets

    buckets: dict = {}
    for d in durations:
        b = buckets.setdefault(duration_bucket(d), [0, 0])
        b[0] += 1
        b[1] += d
    got = _median_of_buckets(buckets)
    exact = statistics.median(durations)
    ordered = sorted(durations)
    middle = {ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]}

    def width(d):
        return QUARTER_HOUR_US if d < DAY_US else HOUR_US if d < MONTH_US else DAY_US

    tolerance = max(width(d) for d in middle) + 500_000  # and the rounding to a second
    assert abs(got.total_seconds() * 10**6 - exact) <= tolerance
    same = [d for d in durations if duration_bucket(d) in {duration_bucket(m) for m in middle}]
    if len(set(same)) == 1:
        assert got == timedelta(seconds=round(exact / 10**6))


@pytest.mark.django_db
def test_profiles_read_from_months_equal_those_read_from_days(reviewer):
    """Referrer profiles count whole months from ReferrerMonth and the ends of a period
    from the day rows (added, or taken from the whole month): the same leads and won
    deals, in the same order, as the day rows alone, for periods across month ends."""
    from datetime import date

    from portal.insight.selectors import (
        InsightFilters,
        InsightScope,
        _profile_count_rows,
        _profile_counts,
    )
    from tests.factories import TeamFactory

    team = TeamFactory()
    people = [PartnerUserFactory(), UserFactory(team=team), UserFactory(), UserFactory()]
    program = ProgramFactory()
    today = timezone.localdate()
    for i in range(40):
        lead = submit_lead(people[i % 4 if i % 7 else 1], program)
        if i % 3 == 0:
            leads.lead_qualify(lead=lead, actor=reviewer)
            leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="100.00", currency="EUR")
        days_back = (i * 11) % 130
        Lead.objects.filter(pk=lead.pk).update(
            submitted_at=timezone.now() - timedelta(days=days_back)
        )
    insight_rebuild()
    periods = [
        (today - timedelta(days=29), today),
        (today - timedelta(days=89), today),
        (today.replace(day=1), today),
        (date(today.year, 1, 1), today),
        (today - timedelta(days=100), today - timedelta(days=40)),
        (today - timedelta(days=45), today - timedelta(days=44)),
        (None, None),
    ]
    scopes = [
        InsightScope(everything=True),
        InsightScope(team_ids=(team.pk,)),
        InsightScope(organisation_id=people[0].partner_organisation_id),
    ]
    for start, end in periods:
        for scope in scopes:
            filters = InsightFilters(start=start, end=end)
            by_days = [(r["referrer_id"], r["n"], r["w"]) for r in _profile_counts(scope, filters)]
            expected = sorted(by_days, key=lambda r: (-r[1], r[0]))
            got = _profile_count_rows(scope, filters, rows=None)
            assert [(r["referrer_id"], r["n"], r["w"]) for r in got] == expected
            assert all(r["total"] == len(expected) for r in got)
            first = _profile_count_rows(scope, filters, rows=2)
            assert [(r["referrer_id"], r["n"], r["w"]) for r in first] == expected[:2]


def test_a_batch_adds_only_to_its_own_rows_never_to_a_row_of_the_same_values_crossed(db):
    """A batch's keys are read by each field's values: a row that matches every field's
    values but is not one of the keys (another referrer's other day), or whose organisation
    is set where the key's is none, is left alone."""
    from collections import Counter

    from portal.insight.models import FunnelDaily
    from portal.insight.services import _bump

    program = ProgramFactory()
    org = PartnerUserFactory().partner_organisation
    a, b = UserFactory(), UserFactory()
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    fields = ("referrer_id", "day", "program_id", "source")
    crossed = [(a.pk, yesterday, program.pk, "form"), (b.pk, today, program.pk, "form")]
    _bump(LeadDaily, Counter(dict.fromkeys(crossed, 5)), fields, "submitted")
    wanted = Counter(
        {(a.pk, today, program.pk, "form"): 2, (b.pk, yesterday, program.pk, "form"): 1}
    )
    _bump(LeadDaily, wanted, fields, "submitted")
    _bump(LeadDaily, Counter({(a.pk, today, program.pk, "form"): 1}), fields, "submitted")
    counts = {
        (r.referrer_id, r.day, r.program_id, r.source): r.submitted for r in LeadDaily.objects.all()
    }
    assert counts == {
        crossed[0]: 5,
        crossed[1]: 5,
        (a.pk, today, program.pk, "form"): 3,
        (b.pk, yesterday, program.pk, "form"): 1,
    }

    funnel = ("day", "program_id", "source", "organisation_id", "team_id")
    _bump(FunnelDaily, Counter({(today, program.pk, "form", org.pk, None): 4}), funnel, "submitted")
    _bump(FunnelDaily, Counter({(today, program.pk, "form", None, None): 1}), funnel, "submitted")
    _bump(FunnelDaily, Counter({(today, program.pk, "form", None, None): 1}), funnel, "submitted")
    assert sorted(
        FunnelDaily.objects.values_list("organisation_id", "submitted"), key=lambda r: r[0] or 0
    ) == [(None, 2), (org.pk, 4)]
