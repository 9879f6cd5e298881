# SPDX-License-Identifier: AGPL-3.0-or-later
"""Personal data on request: a user's own download, a reviewer's erasure of a prospect,
a partner admin removing a member, and retention of qualified and won leads."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.leads import retention
from portal.leads import services as leads
from portal.leads.models import Lead, LeadStatus
from portal.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory, submit_lead

# --- the user's own data ------------------------------------------------------------------


def test_a_user_downloads_their_own_data_as_json_and_csv(client, employee, program):
    employee.first_name = '=HYPERLINK("http://evil.example")'
    employee.save()
    mine = submit_lead(employee, program, email="prospect@mine.example")
    theirs = submit_lead(UserFactory(), program, email="someone@else.example")
    Notification.objects.create(user=employee, kind="test", title="Hello there", body="Hi")
    client.force_login(employee)

    response = client.get(reverse("accounts:my_data", args=["json"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == employee.email
    assert [lead["id"] for lead in data["leads"]] == [mine.pk]
    assert theirs.pk not in {lead["id"] for lead in data["leads"]}
    assert "prospect@mine.example" not in response.content.decode()  # the prospect's, not theirs
    assert any(n["title"] == "Hello there" for n in data["notifications"])

    response = client.get(reverse("accounts:my_data", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "record", "field", "value"]
    assert ["account", "", "email", employee.email] in rows
    first_name = next(r for r in rows if r[:3] == ["account", "", "first_name"])
    assert first_name[3].startswith("'=")  # a spreadsheet shows it, never runs it
    assert any(r[0] == "leads" and r[2] == "id" and r[3] == str(mine.pk) for r in rows)


def test_only_a_signed_in_user_gets_data_and_only_in_json_or_csv(client, employee):
    assert client.get(reverse("accounts:my_data", args=["json"])).status_code == 302
    client.force_login(employee)
    assert client.get(reverse("accounts:my_data", args=["xml"])).status_code == 404


# --- a reviewer erases a prospect ---------------------------------------------------------


def _won(lead, reviewer):
    leads.lead_start_review(lead=lead, actor=reviewer)
    leads.lead_qualify(lead=lead, actor=reviewer)
    return leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000", currency="EUR")


def test_a_reviewer_erases_a_person_and_keeps_counts_and_money(client, reviewer, program):
    first = submit_lead(UserFactory(), program, email="Paula@Prospect.example", name="Paula P")
    won = _won(first, reviewer)
    second = submit_lead(UserFactory(), program, email="other@x.example", phone="+358401234567")
    other = submit_lead(UserFactory(), program, email="keep@me.example")
    client.force_login(reviewer)
    response = client.post(
        reverse("leads_admin:erase"),
        {"email": "paula@prospect.example", "phone": "+358 40 1234567", "confirm": "on"},
        follow=True,
    )
    assert "Contact details erased from 2 leads." in response.content.decode()
    for lead in (won, second):
        lead.refresh_from_db()
        assert (lead.name, lead.email, lead.phone, lead.company) == ("—", "", "", "")
        assert lead.anonymised_at is not None
    assert won.status == LeadStatus.WON and won.deal_value == Decimal("1000.00")
    assert Lead.objects.count() == 3
    other.refresh_from_db()
    assert other.email == "keep@me.example"
    events = AuditEvent.objects.filter(action="lead.erased_on_request")
    assert sorted(int(e.target_id) for e in events) == sorted([won.pk, second.pk])
    assert {e.actor_id for e in events} == {reviewer.pk}


def test_only_reviewers_erase_and_a_refusal_changes_nothing(employee, manager, program):
    lead = submit_lead(employee, program, email="paula@prospect.example")
    for actor in (employee, manager):
        with pytest.raises(PermissionDenied):
            retention.person_erase(actor=actor, email="paula@prospect.example")
    lead.refresh_from_db()
    assert lead.email == "paula@prospect.example" and lead.anonymised_at is None
    assert not AuditEvent.objects.filter(action="lead.erased_on_request").exists()


def test_erase_needs_an_address_or_number(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("leads_admin:erase"), {"confirm": "on"})
    assert "Give the person" in response.content.decode()


# --- a partner admin removes a member -----------------------------------------------------


def test_partner_admin_removes_a_members_account_and_its_personal_data(
    client, partner_admin, partner_user, program
):
    lead = submit_lead(partner_user, program)
    old_email = partner_user.email
    client.force_login(partner_admin)
    response = client.post(reverse("accounts:member_deactivate", args=[partner_user.pk]))
    assert response.status_code == 302
    partner_user.refresh_from_db()
    assert not partner_user.is_active
    assert (partner_user.first_name, partner_user.last_name) == ("", "")
    assert partner_user.email == f"removed-{partner_user.pk}@removed.invalid"
    assert not partner_user.has_usable_password()
    assert not User.objects.filter(email=old_email).exists()
    lead.refresh_from_db()
    assert lead.referrer_id == partner_user.pk  # the lead and its counts stay
    assert AuditEvent.objects.filter(action="user.removed", target_id=str(partner_user.pk)).exists()
    client.logout()
    login = client.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session and login.status_code == 200


def test_another_organisations_admin_cannot_remove_a_member(
    client, other_partner_admin, partner_user
):
    name = partner_user.first_name
    client.force_login(other_partner_admin)
    response = client.post(reverse("accounts:member_deactivate", args=[partner_user.pk]))
    assert response.status_code == 404
    partner_user.refresh_from_db()
    assert partner_user.is_active and partner_user.first_name == name


# --- retention of qualified and won leads -------------------------------------------------


def test_retention_covers_qualified_and_won_leads_after_their_own_period(
    settings, reviewer, program
):
    settings.LEAD_RETENTION_DAYS_ACTIVE = 400
    won = _won(submit_lead(UserFactory(), program), reviewer)
    qualified = submit_lead(UserFactory(), program)
    leads.lead_start_review(lead=qualified, actor=reviewer)
    leads.lead_qualify(lead=qualified, actor=reviewer)
    recent_won = _won(submit_lead(UserFactory(), program), reviewer)
    long_ago = timezone.now() - timedelta(days=401)
    Lead.objects.filter(pk__in=[won.pk, qualified.pk]).update(status_changed_at=long_ago)
    Lead.objects.filter(pk=recent_won.pk).update(
        status_changed_at=timezone.now() - timedelta(days=399)
    )

    assert retention.leads_anonymise_expired() == 2
    won.refresh_from_db()
    qualified.refresh_from_db()
    recent_won.refresh_from_db()
    assert won.email == "" and qualified.email == "" and recent_won.email != ""
    assert won.status == LeadStatus.WON and won.deal_value == Decimal("1000.00")
    assert AuditEvent.objects.filter(action="lead.anonymised").count() == 2
