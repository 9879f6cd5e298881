# SPDX-License-Identifier: AGPL-3.0-or-later
"""The inbound CRM callback: signed, idempotent on the external id, acting through the
lead services as the integration's reviewer."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from portal.audit.models import AuditEvent
from portal.leads import services as leads
from portal.payouts.models import Commission, CommissionPlan, ProgramCommissionSettings
from portal.webhooks.crm import crm_integration_create
from portal.webhooks.models import CrmCallback
from portal.webhooks.signing import signature_header
from tests.factories import UserFactory, enable_mfa, give_role, submit_lead

URL = "/api/v1/crm/hubspot/callbacks/"


@pytest.fixture
def crm(reviewer):
    integration, secret = crm_integration_create(
        actor=reviewer, name="HubSpot", source="hubspot", acting_user=reviewer
    )
    integration.test_secret = secret
    return integration


@pytest.fixture
def qualified(partner_user, reviewer, program):
    plan = CommissionPlan.objects.create(
        name="Ten percent", kind="percent", percent=Decimal("10.00"), hold_days=0
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead = submit_lead(partner_user, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    return lead


def _post(payload, secret, *, timestamp=None, header=None, url=URL, client=None):
    body = json.dumps(payload).encode()
    signature = header if header is not None else signature_header(secret, body, timestamp)
    return (client or Client()).post(
        url, body, content_type="application/json", headers={"Vouch-Signature": signature}
    )


def _won(lead, external_id="evt-1", value="12000.00"):
    return {
        "external_id": external_id,
        "lead": lead.pk,
        "action": "won",
        "deal_value": value,
        "currency": "EUR",
        "deal_id": "D-77",
    }


def test_crm_marks_a_lead_won_through_the_lead_service(crm, qualified, reviewer):
    response = _post(_won(qualified), crm.test_secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lead"] == {
        "id": qualified.pk,
        "status": "won",
        "deal_value": "12000.00",
        "deal_currency": "EUR",
        "deal_reversed": False,
    }
    assert "Vouch-Replayed" not in response
    qualified.refresh_from_db()
    assert qualified.status == "won" and qualified.deal_value == Decimal("12000.00")
    assert "HubSpot" in qualified.status_note and "D-77" in qualified.status_note
    win = AuditEvent.objects.get(action="lead.win")
    assert win.actor == reviewer  # the integration's reviewer, as the audit shows
    callback = AuditEvent.objects.get(action="crm.callback")
    assert callback.data["external_id"] == "evt-1" and callback.data["source"] == "hubspot"
    assert Commission.objects.get(lead=qualified).amount == Decimal("1200.00")


def test_a_repeat_returns_the_first_result_and_changes_nothing(crm, qualified):
    first = _post(_won(qualified), crm.test_secret)
    again = _post(_won(qualified, value="99.00"), crm.test_secret)
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Vouch-Replayed"] == "true"
    assert CrmCallback.objects.count() == 1
    assert AuditEvent.objects.filter(action="lead.win").count() == 1
    assert Commission.objects.filter(lead=qualified).count() == 1
    qualified.refresh_from_db()
    assert qualified.deal_value == Decimal("12000.00")


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=abc,v1=00",
        "v1=deadbeef",
        "t=1700000000,v1=" + "0" * 64,
    ],
)
def test_bad_signatures_are_refused_with_401(crm, qualified, header):
    response = _post(_won(qualified), crm.test_secret, header=header)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert response["WWW-Authenticate"].startswith("Vouch-Signature")
    qualified.refresh_from_db()
    assert qualified.status == "qualified" and not CrmCallback.objects.exists()


def test_a_wrong_secret_an_old_timestamp_or_an_unknown_source_is_refused(crm, qualified):
    assert _post(_won(qualified), "whsec_guess").status_code == 401
    stale = int(time.time()) - 10 * 60
    assert _post(_won(qualified), crm.test_secret, timestamp=stale).status_code == 401
    future = int(time.time()) + 10 * 60
    assert _post(_won(qualified), crm.test_secret, timestamp=future).status_code == 401
    other = "/api/v1/crm/salesforce/callbacks/"
    assert _post(_won(qualified), crm.test_secret, url=other).status_code == 401
    crm.is_active = False
    crm.save()
    assert _post(_won(qualified), crm.test_secret).status_code == 401
    qualified.refresh_from_db()
    assert qualified.status == "qualified"


def test_a_changed_body_breaks_the_signature(crm, qualified):
    body = json.dumps(_won(qualified)).encode()
    header = signature_header(crm.test_secret, body)
    tampered = body.replace(b"12000.00", b"99999.00")
    response = Client().post(
        URL, tampered, content_type="application/json", headers={"Vouch-Signature": header}
    )
    assert response.status_code == 401


def test_lost_needs_a_reason_and_marks_the_lead_lost(crm, qualified):
    missing = _post(
        {"external_id": "evt-2", "lead": qualified.pk, "action": "lost"}, crm.test_secret
    )
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert not CrmCallback.objects.exists()
    done = _post(
        {"external_id": "evt-2", "lead": qualified.pk, "action": "lost", "reason": "Budget cut"},
        crm.test_secret,
    )
    assert done.status_code == 200 and done.json()["lead"]["status"] == "lost"
    qualified.refresh_from_db()
    assert qualified.lost_reason == "Budget cut"


def test_reversing_a_won_deal_claws_back_its_commission(crm, qualified):
    _post(_won(qualified), crm.test_secret)
    response = _post(
        {"external_id": "evt-3", "lead": qualified.pk, "action": "reversed", "reason": "Refunded"},
        crm.test_secret,
    )
    assert response.status_code == 200 and response.json()["lead"]["deal_reversed"] is True
    amounts = sorted(Commission.objects.filter(lead=qualified).values_list("amount", flat=True))
    assert amounts == [Decimal("-1200.00"), Decimal("1200.00")]
    again = _post(
        {"external_id": "evt-4", "lead": qualified.pk, "action": "reversed", "reason": "Twice"},
        crm.test_secret,
    )
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert Commission.objects.filter(lead=qualified).count() == 2


def test_a_refused_callback_can_be_retried_with_the_same_id(crm, employee, reviewer, program):
    lead = submit_lead(employee, program)
    early = _post(_won(lead, "evt-9"), crm.test_secret)
    assert early.status_code == 409  # not qualified yet: only a qualified lead is won
    assert not CrmCallback.objects.exists()
    leads.lead_qualify(lead=lead, actor=reviewer)
    assert _post(_won(lead, "evt-9"), crm.test_secret).status_code == 200


def test_unknown_lead_is_404(crm):
    response = _post(
        {"external_id": "x", "lead": 999999, "action": "lost", "reason": "?"}, crm.test_secret
    )
    assert response.status_code == 404 and not CrmCallback.objects.exists()


def test_the_integration_has_only_its_reviewer_s_rights(crm, qualified, reviewer):
    from django.contrib.auth.models import Group

    reviewer.groups.remove(Group.objects.get(name="Reviewers"))
    response = _post(_won(qualified), crm.test_secret)
    assert response.status_code == 403
    qualified.refresh_from_db()
    assert qualified.status == "qualified"


@pytest.mark.django_db(transaction=True)
def test_two_identical_callbacks_at_once_act_once():
    if connection.vendor != "postgresql":
        pytest.skip("the unique constraint's wait is exercised on PostgreSQL (CI)")
    from portal.accounts.roles import Role
    from tests.factories import ProgramFactory

    reviewer = enable_mfa(give_role(UserFactory(), Role.REVIEWER))
    program = ProgramFactory()
    lead = submit_lead(UserFactory(), program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    integration, secret = crm_integration_create(
        actor=reviewer, name="HubSpot", source="hubspot", acting_user=reviewer
    )
    barrier = threading.Barrier(2)
    answers = []

    def call():
        barrier.wait()
        try:
            response = _post(_won(lead), secret)
            answers.append((response.status_code, response.get("Vouch-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _replayed in answers] == [200, 200]
    assert sorted(str(replayed) for _status, replayed in answers) == ["None", "true"]
    assert AuditEvent.objects.filter(action="lead.win").count() == 1
