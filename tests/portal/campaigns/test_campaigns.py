# SPDX-License-Identifier: AGPL-3.0-or-later
"""Asking at the right moment: each trigger asks a person once, the reminder goes only
to people who have not referred, nobody is asked inside their quiet period or after
unsubscribing, and the A/B report equals a hand count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.campaigns.handlers import ask_the_promoted_referrer, ask_the_won_customer
from portal.campaigns.models import Campaign, CampaignOptOut, CampaignSend, Trigger
from portal.campaigns.selectors import campaign_report
from portal.campaigns.services import (
    campaign_ask,
    campaigns_run_due,
    unsubscribe_token,
)
from portal.events.models import Event
from portal.leads.models import Lead
from portal.leads.services import lead_mark_won, lead_qualify
from portal.notifications.models import Notification
from portal.rewards.models import Tier
from portal.rewards.services import ledger_add, tier_recompute
from tests.factories import UserFactory, submit_lead


def _campaign(program, trigger=Trigger.WON, **fields):
    defaults = {
        "name": "Ask after success",
        "subject_a": "Know someone like you?",
        "body": "Tell us who else would like this.",
        "quiet_days": 30,
        "created_at": timezone.now() - timedelta(days=60),
    }
    defaults.update(fields)
    return Campaign.objects.create(program=program, trigger=trigger, **defaults)


def _win(lead, reviewer):
    lead_qualify(lead=lead, actor=reviewer)
    return lead_mark_won(lead=lead, actor=reviewer, deal_value="1000", currency="EUR")


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_won_lead_asks_its_contact_once_even_when_the_handler_runs_twice(
    program, employee, reviewer
):
    _campaign(program)
    lead = submit_lead(employee, program, email="Carla@Buyer.example")
    mail.outbox.clear()
    _win(lead, reviewer)
    asks = _to("carla@buyer.example")
    assert len(asks) == 1
    assert asks[0].subject == "Know someone like you?"
    assert "/unsubscribe/" in asks[0].body
    event = Event.objects.filter(name="lead.status_changed", payload__to="won").get()
    ask_the_won_customer(event)
    ask_the_won_customer(event)
    assert CampaignSend.objects.count() == 1
    assert len(_to("carla@buyer.example")) == 1


def test_a_promotion_asks_the_referrer_once_in_the_portal_and_by_email(program, employee):
    _campaign(program, Trigger.MILESTONE)
    Tier.objects.create(program=program, name="Bronze", threshold=0)
    Tier.objects.create(program=program, name="Silver", threshold=100)
    tier_recompute(participant=employee, program=program, reason="start")
    ledger_add(participant=employee, amount=100, event="adjustment", reason="t", program=program)
    mail.outbox.clear()
    tier_recompute(participant=employee, program=program, reason="reached 100")
    assert Notification.objects.filter(user=employee, kind="referral_ask").count() == 1
    event = Event.objects.filter(name="tier.changed", payload__promoted=True).last()
    ask_the_promoted_referrer(event)
    assert CampaignSend.objects.filter(user=employee).count() == 1
    assert Notification.objects.filter(user=employee, kind="referral_ask").count() == 1
    assert len(_to(employee.email)) == 1


def test_days_after_won_asks_once_when_due_and_not_an_hour_early(program, employee, reviewer):
    _campaign(program, Trigger.DAYS_AFTER_WON, days_after_won=7)
    lead = _win(submit_lead(employee, program, email="late@buyer.example"), reviewer)
    won_at = timezone.now() - timedelta(days=7)
    Lead.objects.filter(pk=lead.pk).update(status_changed_at=won_at)
    assert campaigns_run_due(at=won_at + timedelta(days=7) - timedelta(hours=1))["asked"] == 0
    mail.outbox.clear()
    assert campaigns_run_due(at=won_at + timedelta(days=7, hours=1))["asked"] == 1
    assert campaigns_run_due(at=won_at + timedelta(days=7, hours=2))["asked"] == 0
    assert len(_to("late@buyer.example")) == 1


def test_a_csv_asks_each_address_once_and_a_bad_file_sends_nothing(client, reviewer, program):
    campaign = _campaign(program, Trigger.CSV)
    client.force_login(reviewer)
    url = reverse("campaigns:upload", args=[campaign.pk])
    bad = SimpleUploadedFile("l.csv", b"email\nok@x.example\nnot-an-address\n", "text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Row 3" in response.content.decode()
    assert CampaignSend.objects.count() == 0
    headless = SimpleUploadedFile("l.csv", b"name\nAda\n", "text/csv")
    assert "email" in client.post(url, {"file": headless}).content.decode()
    binary = SimpleUploadedFile("l.csv", b"\xff\xfe\x00e", "text/csv")
    assert client.post(url, {"file": binary}).status_code == 400
    for _ in range(2):
        good = SimpleUploadedFile("l.csv", b"Email\nA@x.example\nb@x.example\n", "text/csv")
        assert client.post(url, {"file": good}).status_code == 302
    assert sorted(CampaignSend.objects.values_list("email", flat=True)) == [
        "a@x.example",
        "b@x.example",
    ]
    assert len(_to("a@x.example")) == 1


def test_the_reminder_goes_only_to_people_who_have_not_referred(program, employee):
    campaign = _campaign(program, Trigger.CSV, reminder_days=5)
    asked_at = timezone.now() - timedelta(days=6)
    quiet = UserFactory(email="quiet@x.example")
    keen = UserFactory(email="keen@x.example")
    for person in (quiet, keen):
        campaign_ask(campaign=campaign, email=person.email, trigger_key="csv", at=asked_at)
    submit_lead(keen, program)  # keen referred after the ask
    early = asked_at + timedelta(days=5) - timedelta(hours=1)
    assert campaigns_run_due(at=early)["reminded"] == 0
    mail.outbox.clear()
    due = asked_at + timedelta(days=5, hours=1)
    assert campaigns_run_due(at=due)["reminded"] == 1
    assert campaigns_run_due(at=due + timedelta(hours=1))["reminded"] == 0
    assert CampaignSend.objects.get(email="quiet@x.example").reminded_at == due
    assert CampaignSend.objects.get(email="keen@x.example").reminded_at is None
    assert [m.subject for m in _to("quiet@x.example")] == ["Reminder: Know someone like you?"]
    assert _to("keen@x.example") == []


def test_nobody_is_asked_or_reminded_after_unsubscribing(client, program, employee, reviewer):
    campaign = _campaign(program, reminder_days=1)
    _win(submit_lead(employee, program, email="gone@buyer.example"), reviewer)
    url = reverse("campaigns:unsubscribe", args=[unsubscribe_token(email="gone@buyer.example")])
    page = client.get(url)
    assert "gone@buyer.example" in page.content.decode()
    assert not CampaignOptOut.objects.exists()  # a visit alone changes nothing
    assert client.post(url).status_code == 200
    assert CampaignOptOut.objects.filter(email="gone@buyer.example").exists()
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=40)
    assert campaigns_run_due(at=later)["reminded"] == 0
    other = _campaign(program, Trigger.CSV, name="Another")
    assert (
        campaign_ask(campaign=other, email="GONE@buyer.example", trigger_key="csv", at=later)
        is None
    )
    assert _to("gone@buyer.example") == []
    assert client.get(url[:-3] + "xx/").status_code == 400
    assert campaign.sends.count() == 1


def test_the_quiet_period_holds_to_the_hour(program):
    first = _campaign(program, Trigger.CSV, name="First", quiet_days=10)
    second = _campaign(program, Trigger.CSV, name="Second", quiet_days=10)
    asked_at = timezone.now() - timedelta(days=20)
    assert campaign_ask(campaign=first, email="p@x.example", trigger_key="csv", at=asked_at)
    inside = asked_at + timedelta(days=10) - timedelta(hours=1)
    assert campaign_ask(campaign=second, email="p@x.example", trigger_key="csv", at=inside) is None
    outside = asked_at + timedelta(days=10, hours=1)
    assert campaign_ask(campaign=second, email="p@x.example", trigger_key="csv", at=outside)


def test_the_ab_report_equals_a_hand_count(program):
    campaign = _campaign(
        program, Trigger.CSV, subject_b="A quick favour?", quiet_days=0, reminder_days=0
    )
    asked_at = timezone.now() - timedelta(days=3)
    people = [UserFactory(email=f"person{n}@x.example") for n in range(12)]
    for person in people:
        campaign_ask(campaign=campaign, email=person.email, trigger_key="csv", at=asked_at)
    campaign_ask(campaign=campaign, email="noaccount@x.example", trigger_key="csv", at=asked_at)
    # Referrals: person n refers n % 3 leads after the ask; one lead before the ask
    # does not count.
    for n, person in enumerate(people):
        for _ in range(n % 3):
            submit_lead(person, program)
    before = submit_lead(people[0], program)
    Lead.objects.filter(pk=before.pk).update(submitted_at=asked_at - timedelta(hours=1))
    hand: dict[str, list[int]] = {"A": [0, 0], "B": [0, 0]}
    for send in CampaignSend.objects.filter(campaign=campaign):
        hand[send.variant][0] += 1
        n = int(send.email[6:-10]) if send.email.startswith("person") else None
        hand[send.variant][1] += 0 if n is None else n % 3
    report = {row.variant: [row.asks, row.referrals] for row in campaign_report(campaign=campaign)}
    assert report == hand
    assert hand["A"][0] and hand["B"][0]  # both variants were used


@pytest.mark.parametrize(
    "persona", ["employee", "partner_user", "partner_admin", "manager", "finance"]
)
def test_only_reviewers_manage_campaigns(request, client, program, persona):
    campaign = _campaign(program, Trigger.CSV)
    client.force_login(request.getfixturevalue(persona))
    before = list(Campaign.objects.values())
    assert client.get(reverse("campaigns:list")).status_code == 403
    assert client.get(reverse("campaigns:report", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaigns:report_csv", args=[campaign.pk])).status_code == 403
    data = {"program": program.pk, "name_en": "Mine", "trigger": "won"}
    data |= {"subject_a_en": "x", "body_en": "y"}
    data |= {"days_after_won": 0, "reminder_days": 0, "quiet_days": 0, "active": "on"}
    assert client.post(reverse("campaigns:new"), data).status_code == 403
    assert client.post(reverse("campaigns:edit", args=[campaign.pk]), data).status_code == 403
    upload = SimpleUploadedFile("l.csv", b"email\nz@x.example\n", "text/csv")
    url = reverse("campaigns:upload", args=[campaign.pk])
    assert client.post(url, {"file": upload}).status_code == 403
    assert list(Campaign.objects.values()) == before
    assert not CampaignSend.objects.exists()


def test_a_reviewer_creates_a_campaign_and_reads_its_report(client, reviewer, program):
    client.force_login(reviewer)
    data = {"program": program.pk, "name_en": "Spring asks", "trigger": "days_after_won"}
    data |= {"subject_a_en": "x", "subject_b_en": "y", "body_en": "z", "reminder_days": 3}
    data |= {"subject_a_fi": "Tunnetko?"}
    data |= {"days_after_won": 0, "quiet_days": 30, "active": "on"}
    response = client.post(reverse("campaigns:new"), data)
    assert response.status_code == 200  # days after won needs a number of days
    assert not Campaign.objects.exists()
    data["days_after_won"] = 14
    response = client.post(reverse("campaigns:new"), data)
    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:report", args=[campaign.pk])
    assert (campaign.subject_a_en, campaign.subject_a_fi) == ("x", "Tunnetko?")
    assert "Spring asks" in client.get(reverse("campaigns:list")).content.decode()
    assert 'name="subject_a_fi"' in client.get(reverse("campaigns:new")).content.decode()
    assert "Spring asks" in client.get(response.url).content.decode()
    csv = client.get(reverse("campaigns:report_csv", args=[campaign.pk])).content.decode()
    assert csv.splitlines()[0].startswith("Variant,Subject,Asks")


def test_a_reminder_waits_while_another_campaign_asked_lately(program):
    first = _campaign(program, Trigger.CSV, name="First", reminder_days=5, quiet_days=10)
    second = _campaign(program, Trigger.CSV, name="Second", quiet_days=10)
    asked_at = timezone.now() - timedelta(days=30)
    campaign_ask(campaign=first, email="p@x.example", trigger_key="csv", at=asked_at)
    other_at = asked_at + timedelta(days=12)
    assert campaign_ask(campaign=second, email="p@x.example", trigger_key="csv", at=other_at)
    inside = other_at + timedelta(days=10) - timedelta(hours=1)
    assert campaigns_run_due(at=inside)["reminded"] == 0
    assert campaigns_run_due(at=other_at + timedelta(days=10, hours=1))["reminded"] == 1


def test_the_ask_is_written_in_the_recipients_language(program):
    campaign = _campaign(program, Trigger.CSV, subject_a_fi="Tunnetko jonkun?", body_fi="Kiitos!")
    finn = UserFactory(email="finn@x.example", language="fi")
    mail.outbox.clear()
    campaign_ask(campaign=campaign, email=finn.email, trigger_key="csv", at=timezone.now())
    campaign_ask(
        campaign=campaign, email="noaccount@x.example", trigger_key="csv", at=timezone.now()
    )
    assert [m.subject for m in _to("finn@x.example")] == ["Tunnetko jonkun?"]
    assert "Kiitos!" in _to("finn@x.example")[0].body
    assert [m.subject for m in _to("noaccount@x.example")] == ["Know someone like you?"]
