# SPDX-License-Identifier: AGPL-3.0-or-later
"""A worker's batch of submissions tells the submitters, queues the webhooks and finds
fraud exactly as handling the submissions one at a time does; handling it again changes
nothing; what was made set-wise costs a number of queries that does not grow with the
batch.

Two "worlds" of the same shape (people, leads, client prints, domains) are submitted with
no worker running, one handled as one batch and the other one event at a time; what each
ended with, told apart only by its own names, must be equal."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.models import PartnerOrganisation, User
from portal.audit.models import AuditEvent
from portal.events import services as events
from portal.events.models import Event
from portal.fraud.handlers import detect
from portal.fraud.models import FraudCase, SubmissionPrint
from portal.leads.handlers import notify_submitter_of_submission
from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for
from portal.leads.selectors import leads_of_events
from portal.leads.services import lead_submit
from portal.notifications.models import Notification, NotificationPreference
from portal.rewards.models import LedgerEntry
from portal.webhooks import services as webhooks
from portal.webhooks.handlers import lead_created
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import PartnerUserFactory, UserFactory


@dataclass
class World:
    tag: str
    phone: str
    people: list[User] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)


def _person(world: World, user: User) -> User:
    """One of the world's people, named by their place in it (texts greet them)."""
    user.first_name, user.last_name = f"Person{len(world.people)}", "Test"
    user.save(update_fields=["first_name", "last_name"])
    world.people.append(user)
    return user


def _submit(world: World, program, person: User, n: int, *, email: str, **extra) -> None:
    data = {"name": f"Prospect {n}", "email": email, "company": f"Company {n}", "consent": True}
    data.update(extra.pop("data", {}))
    world.leads.append(lead_submit(referrer=person, program=program, data=data, **extra))


def _linked(world: World, program, person: User, n: int, *, device: str, seconds: int) -> None:
    """A referral-page submission, its client print riding in the event."""
    client = {
        "address": f"{world.tag}-address-{n}",
        "network": f"{world.tag}-network-{n}",
        "device": device,
        "user_agent": "Mozilla/5.0",
        "seconds_after_visit": seconds,
    }
    _submit(
        world,
        program,
        person,
        n,
        email=f"p{n}.{world.tag}@linked{n}-{world.tag}.example",
        source="link",
        referral_link=referral_link_for(user=person),
        client_print=client,
    )


def _world(tag: str, phone: str, program, monkeypatch) -> World:
    """Submissions interleaved as a busy minute brings them, no worker running: a burst
    that crosses its threshold at the third lead, one device for four referrers (the
    fourth too quick to be human), a ring of two companies, a referrer who refers
    themselves; submitters with their own languages and delivery choices."""
    world = World(tag=tag, phone=phone)
    t = tag
    burster = _person(world, UserFactory(language="fi"))
    shared = [
        _person(world, UserFactory()),
        _person(world, UserFactory(language="it")),
        _person(world, UserFactory()),
        _person(world, UserFactory()),
    ]
    NotificationPreference.objects.create(user=shared[0], kind="lead_submitted", channel="portal")
    NotificationPreference.objects.create(user=shared[3], kind="lead_submitted", channel="off")
    acme = PartnerOrganisation.objects.create(name=f"Acme {t}", email_domain=f"acme-{t}.example")
    bolt = PartnerOrganisation.objects.create(name=f"Bolt {t}", email_domain=f"bolt-{t}.example")
    a = _person(world, PartnerUserFactory(partner_organisation=acme))
    b = _person(world, PartnerUserFactory(partner_organisation=bolt))
    sam = _person(world, UserFactory(email=f"sam@widgets-{t}.example"))

    # The other half of the ring came earlier and was handled then (a ring closed inside
    # one batch would show that rewards, one at a time, does not hold the points a lead
    # earns after its case opened: rewards' own rule, not compared here).
    _submit(world, program, b, 0, email=f"buyer.{t}@acme-{t}.example")
    device = f"{t}-device-one"
    steps = [
        lambda n: _submit(world, program, burster, n, email=f"b{n}.{t}@burst{n}-{t}.example"),
        lambda n: _linked(world, program, shared[0], n, device=device, seconds=60),
        lambda n: _submit(world, program, a, n, email=f"buyer.{t}@bolt-{t}.example"),
        lambda n: _submit(world, program, burster, n, email=f"b{n}.{t}@burst{n}-{t}.example"),
        lambda n: _linked(world, program, shared[1], n, device=device, seconds=60),
        lambda n: _submit(
            world, program, sam, n, email=f"me.{t}@widgets-{t}.example", data={"phone": phone}
        ),
        lambda n: _submit(world, program, burster, n, email=f"b{n}.{t}@burst{n}-{t}.example"),
        lambda n: _linked(world, program, shared[2], n, device=device, seconds=60),
        lambda n: _submit(
            world, program, sam, n, email=f"friend.{t}@gmail.com", data={"phone": phone}
        ),
        lambda n: _linked(world, program, shared[3], n, device=device, seconds=1),
        lambda n: _submit(world, program, burster, n, email=f"b{n}.{t}@burst{n}-{t}.example"),
    ]
    with monkeypatch.context() as waiting:  # no worker runs: the outbox holds them all
        waiting.setattr(events, "_kick", lambda event_id: None)
        for n, step in enumerate(steps, start=1):
            step(n)
    return world


def _plain(world: World, text: str) -> str:
    """``text`` with what names this world (its tag, phone and lead links) made generic."""
    lead_at = {lead.pk: index for index, lead in enumerate(world.leads)}
    for pk, index in sorted(lead_at.items(), reverse=True):
        text = text.replace(reverse("leads:detail", args=[pk]), f"<lead {index}>")
    # "#12", "n. 12": a lead's number in a title.
    text = re.sub(
        r"(?<=[#\xa0])\d+",
        lambda m: f"<lead {lead_at[int(m[0])]}>" if int(m[0]) in lead_at else m[0],
        text,
    )
    digits = re.sub(r"\D", "", world.phone)
    return (
        text.replace(world.tag, "<world>")
        .replace(world.phone, "<phone>")
        .replace(digits, "<phone>")
    )


def _outcome(world: World) -> dict:
    """What handling the world's submissions left, by the world's own indexes (ids and
    times aside): comparable between two worlds."""
    lead_at = {lead.pk: i for i, lead in enumerate(world.leads)}
    person_at = {p.pk: i for i, p in enumerate(world.people)}
    by_email = {p.email: i for i, p in enumerate(world.people)}

    def leads(ids):
        return [lead_at[pk] for pk in ids]

    notes = Notification.objects.filter(user__in=world.people).order_by("pk")
    told = [
        (
            person_at[n.user_id],
            n.kind,
            _plain(world, n.title),
            _plain(world, n.body),
            _plain(world, n.url),
            n.language,
            n.email_pending,
            n.emailed_at is not None,
        )
        for n in notes
    ]
    mails = [
        (by_email[m.to[0]], _plain(world, m.subject), _plain(world, m.body))
        for m in mail.outbox
        if m.to[0] in by_email
    ]
    deliveries = []
    for d in WebhookDelivery.objects.filter(event="lead.created").select_related("endpoint"):
        body = json.loads(d.body)
        if body["data"]["lead"]["id"] in lead_at:
            contact = body["data"].get("contact")
            deliveries.append(
                (
                    d.pk,
                    d.endpoint.name,
                    lead_at[body["data"]["lead"]["id"]],
                    body["data"]["lead"]["status"],
                    _plain(world, json.dumps(contact, sort_keys=True)) if contact else None,
                    d.status,
                    d.event_id,
                )
            )
    deliveries.sort()
    envelopes = {}  # one envelope per lead, shared by its endpoints
    for _pk, _endpoint, lead, *_rest, event_id in deliveries:
        envelopes.setdefault(lead, set()).add(event_id)
    cases = list(FraudCase.objects.filter(leads__in=world.leads).distinct().order_by("pk"))
    case_at = {case.pk: i for i, case in enumerate(cases)}

    def evidence(data):
        data = dict(data)
        if "back" in data:
            data["back"] = leads(data["back"])
        if "domains" in data:
            data["domains"] = [_plain(world, d) for d in data["domains"]]
        if "domain" in data:
            data["domain"] = _plain(world, data["domain"])
        return data

    opened = [
        (case_at[int(a.target_id)], leads(a.data["leads"]), evidence(a.data))
        for a in AuditEvent.objects.filter(action="fraud.opened").order_by("pk")
        if int(a.target_id) in case_at
    ]
    for _case, _leads, data in opened:
        data.pop("leads")
    return {
        "notifications": sorted(told),
        "submitted_in_order": [row for row in told if row[1] == "lead_submitted"],
        "mails": sorted(mails),
        "deliveries": [row[1:-1] for row in deliveries],
        "one_envelope_per_lead": all(len(ids) == 1 for ids in envelopes.values())
        and len({i for ids in envelopes.values() for i in ids}) == len(envelopes),
        "cases": [
            (
                c.detector,
                c.status,
                sorted(leads(c.leads.values_list("pk", flat=True))),
                evidence(c.evidence),
            )
            for c in cases
        ],
        "opened": opened,
        "held": [
            (case_at[e.payload["case"]], leads(e.payload["leads"]))
            for e in Event.objects.filter(name="fraud.leads_held").order_by("pk")
            if e.payload["case"] in case_at
        ],
        "ledger": sorted(
            (person_at[e.participant_id], lead_at[e.lead_id], e.event, e.amount)
            for e in LedgerEntry.objects.filter(lead__in=world.leads)
        ),
        "prints": sorted(
            (lead_at[p.lead_id], _plain(world, p.device), p.seconds_after_visit)
            for p in SubmissionPrint.objects.filter(lead__in=world.leads)
        ),
    }


@pytest.fixture
def sent(monkeypatch):
    """Webhook sends, in order (each answered 200)."""
    posts: list[str] = []

    def http_post(*, url, body, headers, timeout):
        posts.append(headers["Vouch-Delivery"])
        return 200, ""

    monkeypatch.setattr(webhooks, "http_post", http_post)
    return posts


@pytest.fixture
def fraud_settings(settings):
    settings.FRAUD_BURST_COUNT, settings.FRAUD_BURST_MINUTES = 3, 10
    settings.FRAUD_SHARED_CLIENT_REFERRERS = 3
    settings.FRAUD_MIN_SECONDS_AFTER_VISIT = 5
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    return settings


@pytest.fixture
def endpoints(db):
    every = ["lead.created", "lead.status_changed"]
    return [
        WebhookEndpoint.objects.create(
            name="A CRM", url="http://127.0.0.1:9/a", secret="whsec_a", events=every
        ),
        WebhookEndpoint.objects.create(
            name="B contacts",
            url="http://127.0.0.1:9/b",
            secret="whsec_b",
            events=["lead.created"],
            include_contact_data=True,
        ),
        WebhookEndpoint.objects.create(
            name="C off",
            url="http://127.0.0.1:9/c",
            secret="whsec_c",
            events=every,
            is_active=False,
        ),
        WebhookEndpoint.objects.create(
            name="D money", url="http://127.0.0.1:9/d", secret="whsec_d", events=["payout.paid"]
        ),
    ]


def _claims(captured, handler: str) -> int:
    return sum(
        "events_handlerrun" in q["sql"] and handler in q["sql"] and q["sql"].startswith("INSERT")
        for q in captured
    )


def _drain_as(settings, batch_size: int) -> CaptureQueriesContext:
    settings.EVENTS_BATCH_SIZE = batch_size
    with CaptureQueriesContext(connection) as captured:
        assert events.events_drain() > 0
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    return captured


def _sent_as(world: World, posts: list[str]) -> list[tuple[str, int]]:
    lead_at = {lead.pk: i for i, lead in enumerate(world.leads)}
    rows = []
    for key in posts:
        d = WebhookDelivery.objects.select_related("endpoint").get(delivery_id=key)
        lead = json.loads(d.body)["data"]["lead"]["id"]
        if lead in lead_at:
            rows.append((d.endpoint.name, lead_at[lead]))
    return rows


def test_a_batch_tells_sends_and_finds_fraud_as_one_at_a_time(
    fraud_settings, monkeypatch, program, endpoints, sent
):
    batched = _world("alpha", "+358401111111", program, monkeypatch)
    captured = _drain_as(fraud_settings, 50)
    # One batch: each set-wise handler claimed the eleven waiting submissions at once.
    for handler in ("notify_submitter_of_submission", "lead_created", "fraud.handlers.detect"):
        assert _claims(captured, handler) == 1, handler

    single = _world("bravo", "+358402222222", program, monkeypatch)
    captured = _drain_as(fraud_settings, 0)
    assert _claims(captured, "lead_created") == 11

    outcome = _outcome(batched)
    other = _outcome(single)
    for key in outcome:
        if outcome[key] != other[key]:
            import difflib

            print(key)
            print(
                "\n".join(
                    difflib.unified_diff(
                        [repr(x) for x in outcome[key]], [repr(x) for x in other[key]], lineterm=""
                    )
                )
            )
    assert outcome == other
    assert _sent_as(batched, sent) == _sent_as(single, sent)

    # And what that is: the submitters told in their languages, as they chose.
    told = outcome["submitted_in_order"]
    assert [row[0] for row in told] == [6, 0, 1, 5, 0, 2, 7, 0, 3, 7, 0]  # not 4 (off)
    assert {row[0]: row[5] for row in told}[0] == "fi"
    assert {row[0]: row[5] for row in told}[2] == "it"
    assert [row[7] for row in told] == [True] * 2 + [False] + [True] * 8  # 1: portal only
    assert len(outcome["mails"]) >= 10
    # Each lead to the two active endpoints that asked, in order; contact data for B only.
    assert [row[:2] for row in outcome["deliveries"]] == [
        (endpoint, lead) for lead in range(12) for endpoint in ("A CRM", "B contacts")
    ]
    assert [row[3] is not None for row in outcome["deliveries"]] == [False, True] * 12
    assert outcome["one_envelope_per_lead"]
    assert _sent_as(batched, sent) == [
        (endpoint, lead) for lead in range(12) for endpoint in ("A CRM", "B contacts")
    ]
    # The burst crossed its threshold inside the batch: opened with three, the fourth added.
    cases = {case[0]: case for case in outcome["cases"]}
    assert cases["burst"][2] == [1, 4, 7, 11]
    assert cases["burst"][3]["count"] == 4
    # The shared device: opened at the third referrer's lead, as one at a time.
    assert cases["shared_client"][2] == [2, 5, 8, 10]
    assert cases["ring"][2] == [0, 3]
    assert cases["self_referral"][2] == [6, 9]
    assert cases["non_human"][2] == [10]
    opened = {tuple(leads) for _case, leads, _data in outcome["opened"]}
    assert {(1, 4, 7), (2, 5, 8), (0, 3), (6,), (10,)} == opened
    held = [leads for _case, leads in outcome["held"]]
    assert held == [[0, 3], [6], [1, 4, 7], [2, 5, 8], [9], [10], [10], [11]]
    # Every lead of an open case has its points held.
    held_leads = {lead for _p, lead, event, _a in outcome["ledger"] if event.startswith("fraud.")}
    assert held_leads == set(range(12))


def test_a_batch_handled_again_changes_nothing(
    fraud_settings, monkeypatch, program, endpoints, sent
):
    world = _world("alpha", "+358401111111", program, monkeypatch)
    _drain_as(fraud_settings, 50)
    before, posts = _outcome(world), list(sent)
    audits, published = AuditEvent.objects.count(), Event.objects.count()
    # Fraud review rests on its own constraints: the whole batch once more, no claims.
    batch = list(Event.objects.filter(name="lead.submitted").order_by("pk"))
    with transaction.atomic():
        detect([Event.objects.get(pk=e.pk) for e in batch])
    assert _outcome(world) == before
    assert (AuditEvent.objects.count(), Event.objects.count()) == (audits, published)
    # The worker retrying every event: the claims hold (no second notice, delivery, case).
    Event.objects.update(handled_at=None, lease_until=None)
    events.events_drain()
    assert _outcome(world) == before
    assert sent == posts


@pytest.mark.parametrize("size", [4, 12])
def test_a_batch_costs_the_same_few_queries_however_large(
    fraud_settings, monkeypatch, program, endpoints, sent, size
):
    """Notices, webhooks and the detectors for ``size`` submissions by as many people,
    each with a phone, a work domain and a client print, so that every detector looks: a
    number of queries that does not grow with the batch (none finds anything here; a
    finding opens its case on its own)."""
    people = [UserFactory(language=["fi", "it", ""][n % 3]) for n in range(size)]
    NotificationPreference.objects.create(user=people[0], kind="lead_submitted", channel="portal")
    with monkeypatch.context() as waiting:  # no worker runs: the outbox holds them all
        waiting.setattr(events, "_kick", lambda event_id: None)
        for n, person in enumerate(people):
            lead_submit(
                referrer=person,
                program=program,
                data={
                    "name": f"P {n}",
                    "email": f"p{n}@firm{n}.example",
                    "company": f"Firm {n}",
                    "phone": f"+35840{n:07d}",
                    "consent": True,
                },
                source="link",
                referral_link=referral_link_for(user=person),
                client_print={
                    "address": f"address-{n}",
                    "network": f"network-{n}",
                    "device": f"device-{n}",
                    "user_agent": "Mozilla/5.0",
                    "seconds_after_visit": 60,
                },
            )
    batch = list(Event.objects.filter(name="lead.submitted").order_by("pk"))
    leads_of_events(events=batch)  # the batch's first handler reads its leads for all
    for handler in (notify_submitter_of_submission, lead_created):
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            handler(batch)
        # The preferences (or the endpoints), then one INSERT.
        assert len(captured) == 2, [q["sql"][:80] for q in captured]
    assert Notification.objects.filter(kind="lead_submitted").count() == size
    assert Notification.objects.filter(kind="lead_submitted", language="it").count() == size // 3
    assert WebhookDelivery.objects.filter(event="lead.created").count() == 2 * size
    # Fraud review: the prints kept in one INSERT and read in one query, then one query
    # for each detector that has anything to look at (shared client, burst, ring,
    # self-referral; non-human reads only the print).
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        detect(batch)
    assert len(captured) == 6, [q["sql"][:80] for q in captured]
    assert SubmissionPrint.objects.count() == size
    assert not FraudCase.objects.exists()
