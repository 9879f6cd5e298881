# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound webhooks: emitted from the domain services after commit, signed, retried with
back-off against a real HTTP server, logged per attempt, replayed, switched off."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.leads import services as leads
from portal.notifications.models import Notification
from portal.payouts.batches import (
    payout_batch_approve,
    payout_batch_build,
    payout_batch_mark_paid,
    payout_batch_start,
)
from portal.payouts.models import CommissionPlan, ProgramCommissionSettings
from portal.payouts.services import commission_approve
from portal.rewards.models import Tier
from portal.webhooks.endpoints import endpoint_create, endpoint_update
from portal.webhooks.models import DeliveryStatus, WebhookDelivery
from portal.webhooks.services import deliveries_send_due, delivery_replay
from portal.webhooks.signing import BadSignature, signature_verify
from tests.factories import UserFactory, enable_mfa, give_role, submit_lead


def _endpoint(reviewer, url, events=("lead.created",), **kw):
    return endpoint_create(actor=reviewer, name="CRM", url=url, events=list(events), **kw)


def _submit_and_commit(django_capture_on_commit_callbacks, referrer, program, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return submit_lead(referrer, program, **data)


def test_event_is_sent_after_commit_signed_with_the_endpoint_secret(
    django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    endpoint, secret = _endpoint(reviewer, receiver.url)
    lead = _submit_and_commit(django_capture_on_commit_callbacks, employee, program)

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert got.headers["Vouch-Event"] == "lead.created"
    assert got.headers["Vouch-Delivery"] == str(delivery.delivery_id)
    assert got.headers["Content-Type"] == "application/json"
    signed_at = signature_verify(
        secret=secret, header=got.headers["Vouch-Signature"], body=got.body, tolerance=300
    )
    assert abs(signed_at - time.time()) < 60
    with pytest.raises(BadSignature):
        signature_verify(
            secret="whsec_other",
            header=got.headers["Vouch-Signature"],
            body=got.body,
            tolerance=300,
        )
    with pytest.raises(BadSignature):  # the body cannot be changed under the signature
        signature_verify(
            secret=secret,
            header=got.headers["Vouch-Signature"],
            body=got.body.replace(b"lead.created", b"lead.createX"),
            tolerance=300,
        )
    event = json.loads(got.body)
    assert event["type"] == "lead.created" and event["id"] == str(delivery.event_id)
    assert event["data"]["lead"]["id"] == lead.pk
    assert event["data"]["lead"]["status"] == "submitted"
    assert "contact" not in event["data"]  # no contact data unless the endpoint asks
    assert lead.email not in got.body.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 1
    attempt = delivery.attempts.get()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.latency_ms >= 0


def test_contact_data_only_for_endpoints_that_ask(
    django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    _endpoint(reviewer, receiver.url, include_contact_data=True)
    lead = _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    event = json.loads(receiver.requests[0].body)
    assert event["data"]["contact"]["email"] == lead.email


def test_a_rolled_back_change_sends_nothing(
    django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    _endpoint(reviewer, receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit_lead(employee, program)
        raise RuntimeError("something later in the request failed")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_only_subscribed_active_endpoints_get_an_event(
    django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    _endpoint(reviewer, receiver.url, events=["lead.status_changed"])
    off, _secret = _endpoint(reviewer, receiver.url)
    endpoint_update(
        actor=reviewer,
        endpoint=off,
        name=off.name,
        url=off.url,
        events=off.events,
        is_active=False,
        include_contact_data=False,
    )
    lead = _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_qualify(lead=lead, actor=reviewer, note="Good fit")
    event = json.loads(receiver.requests[0].body)
    assert event["type"] == "lead.status_changed"
    assert event["data"]["lead"]["status"] == "qualified"
    assert event["data"]["from_status"] == "submitted" and event["data"]["action"] == "qualify"


def test_many_leads_read_the_endpoints_once_and_nothing_to_send_costs_one_read(
    receiver, reviewer, employee, program, django_assert_num_queries
):
    """``events_emit``: the deliveries ``event_emit`` would write for each lead, in the
    same order, after one read of the endpoints; with no endpoint asking, that read only."""
    from portal.webhooks.services import events_emit

    lead_a, lead_b = submit_lead(employee, program), submit_lead(employee, program)
    WebhookDelivery.objects.all().delete()
    with django_assert_num_queries(1):
        assert events_emit(event="lead.created", objs=[lead_a, lead_b]) == []
    with django_assert_num_queries(0):
        assert events_emit(event="lead.created", objs=[]) == []
    first, _secret = _endpoint(reviewer, receiver.url)
    second, _secret = _endpoint(reviewer, receiver.url, include_contact_data=True)
    with transaction.atomic(), django_assert_num_queries(2):
        ids = events_emit(event="lead.created", objs=[lead_a, lead_b])
    rows = [
        (d.endpoint_id, json.loads(d.body)["data"]["lead"]["id"], d.event_id)
        for d in WebhookDelivery.objects.filter(pk__in=ids).order_by("pk")
    ]
    assert [row[:2] for row in rows] == [
        (first.pk, lead_a.pk),
        (second.pk, lead_a.pk),
        (first.pk, lead_b.pk),
        (second.pk, lead_b.pk),
    ]
    assert rows[0][2] == rows[1][2] != rows[2][2] == rows[3][2]  # one envelope per lead


def test_failures_are_retried_with_doubling_back_off_until_delivered(
    django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    receiver.statuses = [500, 503, 200]
    endpoint, _secret = _endpoint(reviewer, receiver.url)
    before = timezone.now()
    _submit_and_commit(django_capture_on_commit_callbacks, employee, program)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=59) < first_retry - before < timedelta(seconds=70)
    assert deliveries_send_due() == 0  # not due yet: nothing is sent early
    assert len(receiver.requests) == 1

    assert deliveries_send_due(now=first_retry) == 1
    delivery.refresh_from_db()
    assert delivery.last_status_code == 503 and delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at - first_retry == timedelta(seconds=120)

    assert deliveries_send_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 3
    assert [(a.number, a.status_code, a.succeeded) for a in delivery.attempts.all()] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert "500" in delivery.attempts.first().error
    assert len(receiver.requests) == 3
    # every attempt is signed afresh, with the same delivery id
    assert len({r.headers["Vouch-Delivery"] for r in receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0


def test_an_unreachable_endpoint_logs_the_network_error(
    django_capture_on_commit_callbacks, reviewer, employee, program
):
    endpoint, _secret = _endpoint(reviewer, "http://127.0.0.1:9/nobody-listens")
    _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    attempt = WebhookDelivery.objects.get(endpoint=endpoint).attempts.get()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error  # e.g. "[Errno 111] Connection refused"


def test_a_delivery_gives_up_after_the_last_attempt(
    settings, django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500, 200]
    endpoint, _secret = _endpoint(reviewer, receiver.url)
    _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    later = timezone.now() + timedelta(days=1)
    assert deliveries_send_due(now=later) == 1
    assert deliveries_send_due(now=later + timedelta(days=1)) == 0
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempt_count == 2
    assert len(receiver.requests) == 2


def test_an_endpoint_that_keeps_failing_is_switched_off_and_reviewers_are_told(
    settings, django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.statuses = [500, 500, 200, 500, 500, 500]
    endpoint, _secret = _endpoint(reviewer, receiver.url)
    for _ in range(3):  # fail, fail, succeed: a success starts the count again
        _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0
    for _ in range(3):
        _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.consecutive_failures == 3
    assert "3 deliveries in a row failed" in endpoint.disabled_reason
    note = Notification.objects.get(user=reviewer, kind="webhook_disabled")
    assert "CRM" in note.title
    assert AuditEvent.objects.filter(action="webhook.endpoint_disabled").count() == 1

    _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    assert len(receiver.requests) == 6  # nothing more goes to a switched-off endpoint


def test_replay_sends_the_event_again_as_a_new_delivery(
    client, django_capture_on_commit_callbacks, receiver, reviewer, employee, program
):
    endpoint, secret = _endpoint(reviewer, receiver.url)
    _submit_and_commit(django_capture_on_commit_callbacks, employee, program)
    original = WebhookDelivery.objects.get(endpoint=endpoint)

    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/integrations/deliveries/{original.pk}/replay/")
    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{replay.pk}/")
    assert replay.replay_of == original and replay.status == DeliveryStatus.SUCCEEDED
    first, second = receiver.requests
    assert first.body == second.body  # the same event …
    assert json.loads(second.body)["id"] == str(original.event_id)
    assert second.headers["Vouch-Delivery"] != first.headers["Vouch-Delivery"]  # … delivered anew
    signature_verify(
        secret=secret, header=second.headers["Vouch-Signature"], body=second.body, tolerance=300
    )
    audit = AuditEvent.objects.get(action="webhook.delivery_replayed")
    assert audit.actor == reviewer


def test_replay_needs_the_endpoint_switched_on(reviewer, receiver, employee, program):
    endpoint, _secret = _endpoint(reviewer, receiver.url)
    submit_lead(employee, program)
    delivery = WebhookDelivery.objects.get()
    endpoint_update(
        actor=reviewer,
        endpoint=endpoint,
        name="CRM",
        url=receiver.url,
        events=["lead.created"],
        is_active=False,
        include_contact_data=False,
    )
    with pytest.raises(ValidationError):
        delivery_replay(actor=reviewer, delivery=WebhookDelivery.objects.get(pk=delivery.pk))


def test_only_https_urls_unless_development(settings, reviewer):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError) as exc:
        endpoint_create(
            actor=reviewer, name="x", url="http://crm.example/hook", events=["payout.paid"]
        )
    assert "url" in exc.value.message_dict
    endpoint, _secret = endpoint_create(
        actor=reviewer, name="x", url="https://crm.example/hook", events=["payout.paid"]
    )
    assert endpoint.url == "https://crm.example/hook"


# --- Every event comes from its service, in the service's transaction ----------------------


@pytest.fixture
def all_events(reviewer):
    endpoint, _secret = endpoint_create(
        actor=reviewer,
        name="Everything",
        url="https://hooks.example/vouch",
        events=[
            "lead.created",
            "lead.status_changed",
            "commission.approved",
            "payout.paid",
            "tier.changed",
        ],
    )
    return endpoint


def _events(endpoint) -> list[dict]:
    return [json.loads(d.body) for d in endpoint.deliveries.order_by("pk")]


def test_commission_payout_and_tier_events(all_events, reviewer, finance, partner_user, program):
    Tier.objects.create(program=program, name="Bronze", threshold=50)
    plan = CommissionPlan.objects.create(
        name="Flat", kind="flat", flat_amount=Decimal("100.00"), hold_days=0
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    commission = lead.commissions.get()
    commission_approve(actor=finance, commission=commission)
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    payout_batch_build(batch_id=batch.pk)
    second = enable_mfa(give_role(UserFactory(), Role.FINANCE))
    payout_batch_approve(actor=second, batch=batch)
    payout_batch_mark_paid(actor=finance, batch=batch)
    payout_batch_mark_paid(actor=finance, batch=batch)  # twice is once: one event

    events = _events(all_events)
    types = [e["type"] for e in events]
    assert types.count("lead.created") == 1 and types.count("lead.status_changed") == 1
    assert types.count("tier.changed") == 1 and types.count("commission.approved") == 1
    assert types.count("payout.paid") == 1
    tier = next(e for e in events if e["type"] == "tier.changed")["data"]
    assert tier["to_tier"]["name"] == "Bronze" and tier["participant_id"] == partner_user.pk
    approved = next(e for e in events if e["type"] == "commission.approved")["data"]["commission"]
    assert approved["amount"] == "100.00" and approved["currency"] == "EUR"
    assert approved["payee_organisation_id"] == partner_user.partner_organisation_id
    paid = next(e for e in events if e["type"] == "payout.paid")["data"]["batch"]
    assert paid["reference"] == batch.reference and paid["total"] == "100.00"


def test_emitting_costs_one_query_when_nobody_listens(employee, program, django_assert_num_queries):
    from portal.webhooks.services import event_emit

    lead = submit_lead(employee, program)
    with django_assert_num_queries(1):
        assert event_emit(event="lead.created", obj=lead) == []
