# SPDX-License-Identifier: AGPL-3.0-or-later
"""The lead an event names, read once however many handlers ask: with its program and
its referrer's organisation, each handler getting its own copy; a worker's batch reads
all its leads in one query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.events.models import Event
from portal.leads.selectors import lead_of_event, leads_of_events
from tests.factories import submit_lead


def _submitted(lead) -> Event:
    return Event.objects.get(name="lead.submitted", aggregate=f"lead:{lead.pk}")


def test_one_read_serves_every_handler_each_with_its_own_copy(
    partner_user, program, django_assert_num_queries
):
    lead = submit_lead(partner_user, program)
    event = _submitted(lead)
    with django_assert_num_queries(1):
        first = lead_of_event(event=event)
        assert first is not None
        assert first.program.name == program.name
        assert first.referrer.partner_organisation == partner_user.partner_organisation
    with django_assert_num_queries(0):
        second = lead_of_event(event=event)
    assert second is not None and second is not first and second.pk == lead.pk
    second.status = "qualified"  # what one handler sets does not reach the next
    assert lead_of_event(event=event).status == lead.status


def test_a_batch_reads_only_its_own_leads_in_one_query(
    partner_user, program, django_assert_num_queries
):
    leads = [submit_lead(partner_user, program) for _ in range(3)]
    outside = submit_lead(partner_user, program)
    events = [_submitted(lead) for lead in leads]
    with CaptureQueriesContext(connection) as read:
        leads_of_events(events=events)
    assert len(read.captured_queries) == 1
    assert str(outside.pk) not in read.captured_queries[0]["sql"].split("WHERE", 1)[-1]
    assert "WHERE" in read.captured_queries[0]["sql"]  # not every lead in the table
    with django_assert_num_queries(0):
        leads_of_events(events=events)  # already read: nothing more
        for event, lead in zip(events, leads, strict=True):
            got = lead_of_event(event=event)
            assert got is not None and got.pk == lead.pk
            assert got.program.name == program.name
            assert got.referrer.partner_organisation == partner_user.partner_organisation


def test_an_event_whose_lead_is_gone_names_none(db):
    missing = {"lead": 987654321}
    event = Event(name="lead.submitted", aggregate="lead:987654321", payload=missing)
    batch = [Event(name="lead.submitted", aggregate="lead:987654321", payload=missing)]
    assert lead_of_event(event=event) is None
    leads_of_events(events=batch)
    assert lead_of_event(event=batch[0]) is None
