# SPDX-License-Identifier: AGPL-3.0-or-later
"""Quota arithmetic at period edges: quarters and months in the site time zone
(Europe/Helsinki), one hour inside and outside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from portal.leads.models import Lead
from portal.networks.models import OutboundLead
from portal.networks.periods import period_containing, period_from_key, period_shift
from portal.networks.selectors import reciprocal_terms_for, reciprocity_balance
from tests.factories import (
    PartnerUserFactory,
    ReciprocalTermsFactory,
    UserFactory,
    send_outbound,
    submit_lead,
)

# Q3 2026 starts at midnight of 1 July in Helsinki: 21:00 UTC on 30 June (summer time).
Q3_START = datetime(2026, 6, 30, 21, 0, tzinfo=UTC)
# ...and ends at midnight of 1 October in Helsinki: 21:00 UTC on 30 September.
Q3_END = datetime(2026, 9, 30, 21, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_quarter_starts_at_local_midnight_not_utc_midnight():
    span = period_containing(kind="quarter", moment=Q3_START)
    assert span.key == "2026-Q3"
    assert (span.start, span.end) == (Q3_START, Q3_END)
    assert period_containing(kind="quarter", moment=Q3_START - HOUR).key == "2026-Q2"
    assert period_containing(kind="quarter", moment=Q3_START + HOUR).key == "2026-Q3"
    assert period_containing(kind="quarter", moment=Q3_END - HOUR).key == "2026-Q3"
    assert period_containing(kind="quarter", moment=Q3_END + HOUR).key == "2026-Q4"
    # 22:30 UTC on 30 June is already July in Helsinki, though June in UTC.
    assert (
        period_containing(kind="quarter", moment=datetime(2026, 6, 30, 22, 30, tzinfo=UTC)).key
        == "2026-Q3"
    )


def test_quarters_and_months_cross_the_year_and_winter_time():
    q4 = period_from_key(kind="quarter", key="2026-Q4")
    assert q4 is not None
    q1 = period_shift(span=q4, by=1)
    assert q1.key == "2027-Q1"
    # Winter time: midnight of 1 January in Helsinki is 22:00 UTC.
    assert q1.start == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    assert period_shift(span=q1, by=-4).key == "2026-Q1"
    december = period_from_key(kind="month", key="2026-12")
    assert december is not None and period_shift(span=december, by=1).key == "2027-01"


@pytest.mark.parametrize("key", ["", "2026", "2026-Q5", "2026-13", "2026-00", "1999-Q1", "2026-07"])
def test_a_key_that_names_no_quarter_is_refused(key):
    assert period_from_key(kind="quarter", key=key) is None


def test_period_keys_of_months_refuse_quarters():
    assert period_from_key(kind="month", key="2026-Q1") is None
    assert period_from_key(kind="month", key="2026-07").key == "2026-07"


@pytest.fixture
def reciprocal(db, program):
    terms = ReciprocalTermsFactory(quota_sent=3, quota_received=2)
    return terms.organisation


def _sent_at(organisation, program, sender, moment):
    outbound = send_outbound(sender, organisation, program)
    OutboundLead.objects.filter(pk=outbound.pk).update(sent_at=moment)
    return outbound


def _received_at(organisation, program, moment):
    lead = submit_lead(PartnerUserFactory(partner_organisation=organisation), program)
    Lead.objects.filter(pk=lead.pk).update(submitted_at=moment)
    return lead


def test_the_balance_counts_one_hour_inside_and_not_one_hour_outside(reciprocal, program):
    sender = UserFactory()
    _sent_at(reciprocal, program, sender, Q3_START - HOUR)  # Q2
    _sent_at(reciprocal, program, sender, Q3_START + HOUR)  # Q3
    _sent_at(reciprocal, program, sender, Q3_END - HOUR)  # Q3
    _sent_at(reciprocal, program, sender, Q3_END + HOUR)  # Q4
    _received_at(reciprocal, program, Q3_START)  # the first instant belongs to Q3
    _received_at(reciprocal, program, Q3_END)  # the end is the next quarter's
    balance = reciprocity_balance(organisation=reciprocal, at=Q3_START + timedelta(days=40))
    assert balance is not None
    assert balance.span.key == "2026-Q3"
    assert (balance.sent, balance.received) == (2, 1)
    assert (balance.quota_sent, balance.quota_received) == (3, 2)
    assert (balance.sent_short, balance.received_short) == (1, 1)
    assert [(p.span.key, p.sent, p.received) for p in balance.trend] == [
        ("2025-Q4", 0, 0),
        ("2026-Q1", 0, 0),
        ("2026-Q2", 1, 0),
        ("2026-Q3", 2, 1),
    ]


def test_rejected_and_withdrawn_referrals_are_not_received(reciprocal, program, reviewer):
    from portal.leads.services import lead_reject, lead_withdraw

    member = PartnerUserFactory(partner_organisation=reciprocal)
    kept = submit_lead(member, program)
    lead_reject(lead=submit_lead(member, program), actor=reviewer, reason="invalid")
    withdrawn = submit_lead(member, program)
    lead_withdraw(lead=withdrawn, actor=member)
    balance = reciprocity_balance(organisation=reciprocal, at=timezone.now())
    assert balance is not None and balance.received == 1
    assert kept.organisation_id == reciprocal.pk


def test_conversion_each_way_is_a_whole_percent(reciprocal, program, reviewer):
    from portal.leads.services import lead_mark_won, lead_qualify
    from portal.networks.services import outbound_mark_won

    sender, member = UserFactory(), PartnerUserFactory(partner_organisation=reciprocal)
    won = send_outbound(sender, reciprocal, program)
    send_outbound(sender, reciprocal, program)
    send_outbound(sender, reciprocal, program)
    outbound_mark_won(outbound=won, actor=member, deal_value="100", currency="EUR")
    lead = lead_qualify(lead=submit_lead(member, program), actor=reviewer)
    lead_mark_won(lead=lead, actor=reviewer, deal_value="5", currency="EUR")
    balance = reciprocity_balance(organisation=reciprocal, at=timezone.now())
    assert balance is not None
    assert balance.sent_conversion == 33  # 1 of 3
    assert balance.received_conversion == 100


def test_new_terms_apply_from_their_first_local_day(db):
    first = ReciprocalTermsFactory(valid_from=date(2026, 1, 1), quota_sent=5)
    ReciprocalTermsFactory(
        organisation=first.organisation, valid_from=date(2026, 7, 1), quota_sent=8
    )
    at = reciprocal_terms_for(organisation=first.organisation, at=Q3_START - HOUR)
    assert at is not None and at.quota_sent == 5
    at = reciprocal_terms_for(organisation=first.organisation, at=Q3_START + HOUR)
    assert at is not None and at.quota_sent == 8
    assert (
        reciprocal_terms_for(
            organisation=first.organisation, at=datetime(2025, 12, 31, 21, 0, tzinfo=UTC)
        )
        is None
    )  # 23:00 on 31 December in Helsinki: before the first terms
