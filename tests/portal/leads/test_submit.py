# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.leads.models import Lead, LeadStatus
from portal.notifications.models import Notification
from tests.factories import ProgramFactory, UserFactory, submit_lead

VALID = {
    "name": "Sofia Virtanen",
    "email": "sofia@northwind.example",
    "phone": "+358 40 123 4567",
    "company": "Northwind Oy",
    "notes": "Needs 40 seats",
    "consent": "on",
}


def _post(client, program, **overrides):
    data = {**VALID, "program": program.pk, **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("leads:new"), data)


def test_employee_submits_a_referral_and_is_thanked(
    client, employee, program, django_capture_on_commit_callbacks
):
    client.force_login(employee)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, program)
    lead = Lead.objects.get()
    assert response["Location"] == reverse("leads:detail", args=[lead.pk])
    assert (lead.status, lead.referrer, lead.source, lead.phone_e164) == (
        "submitted",
        employee,
        "form",
        "+358401234567",
    )
    assert lead.consent and lead.consent_text == program.consent_text
    assert AuditEvent.objects.filter(
        action="lead.submitted", target_id=str(lead.pk), actor=employee
    ).exists()
    assert Notification.objects.filter(user=employee, kind="lead_submitted").exists()
    assert mail.outbox[0].to == [employee.email]
    assert "Thank you for your referral" in mail.outbox[0].subject
    page = client.get(response["Location"]).content.decode()
    assert "Sofia Virtanen" in page and "Submitted" in page


def test_partner_lead_belongs_to_their_organisation(client, partner_user, program):
    client.force_login(partner_user)
    _post(client, program)
    assert Lead.objects.get().organisation == partner_user.partner_organisation


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"consent": None}, "must agree to be contacted"),
        ({"email": "not-an-address"}, "valid e-mail address"),
        ({"phone": "12"}, "valid phone number"),
        ({"email": "", "phone": ""}, "e-mail address or a phone number"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_input_gives_form_errors_and_saves_nothing(
    client, employee, program, overrides, field_message
):
    client.force_login(employee)
    response = _post(client, program, **overrides)
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Lead.objects.exists()


def test_unknown_program_is_refused(client, employee, program):
    client.force_login(employee)
    response = client.post(reverse("leads:new"), {**VALID, "program": 999999})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Lead.objects.exists()


def test_closed_program_is_refused(client, employee, db):
    ended = ProgramFactory(
        starts_on=date.today() - timedelta(days=60), ends_on=date.today() - timedelta(days=1)
    )
    client.force_login(employee)
    response = _post(client, ended)
    assert response.status_code == 200
    assert not Lead.objects.exists()
    with pytest.raises(Exception, match="not accepting referrals"):
        submit_lead(employee, ended)


def test_program_for_partners_is_closed_to_employees(client, employee, db):
    partners_only = ProgramFactory(audience="partners")
    client.force_login(employee)
    assert _post(client, partners_only).status_code == 200
    assert not Lead.objects.exists()


def test_suspended_partner_cannot_submit(client, reviewer, partner_user, program):
    from portal.accounts.services import organisation_set_status

    organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    partner_user.refresh_from_db()
    client.force_login(partner_user)
    page = client.get(reverse("leads:new")).content.decode()
    assert "suspended" in page
    _post(client, program)
    assert not Lead.objects.exists()
    with pytest.raises(Exception, match="suspended"):
        submit_lead(partner_user, program)


@pytest.mark.parametrize("persona", ["partner_admin", "reviewer", "finance", "manager"])
def test_refer_page_roles(client, request, program, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    # partner admins are partner users, staff are employees: all may refer
    assert client.get(reverse("leads:new")).status_code == 200


def test_anonymous_cannot_refer(client, program):
    assert client.get(reverse("leads:new"))["Location"].startswith(reverse("account_login"))


# --- Quality rules -------------------------------------------------------------------


def test_self_referral_by_own_email_is_rejected_with_a_reason(employee, program):
    lead = submit_lead(employee, program, email=employee.email.upper())
    assert lead.status == LeadStatus.REJECTED
    assert lead.rejection_reason == "self_referral"
    assert "cannot refer yourself" in lead.status_note


def test_partner_referring_their_own_organisation_is_rejected(partner_user, program):
    lead = submit_lead(partner_user, program, email="boss@acme.example")
    assert lead.status == LeadStatus.REJECTED and lead.rejection_reason == "self_referral"
    assert "acme.example" in lead.status_note


def test_disposable_email_is_flagged_or_rejected_as_the_program_says(employee, program):
    flagged = submit_lead(employee, program, email="someone@mailinator.com")
    assert flagged.status == LeadStatus.SUBMITTED
    assert flagged.flags[0]["rule"] == "disposable_email"
    program.rule_disposable_email = "reject"
    program.save()
    rejected = submit_lead(employee, program, email="other@yopmail.com")
    assert rejected.status == LeadStatus.REJECTED and rejected.rejection_reason == "invalid"
    assert "disposable" in rejected.status_note


def test_daily_cap_flags_submissions_beyond_it(employee, program):
    program.daily_cap = 2
    program.save()
    first, second, third = (submit_lead(employee, program) for _ in range(3))
    assert not first.flags and not second.flags
    assert third.flags[0]["rule"] == "daily_cap"
    program.rule_daily_cap = "reject"
    program.save()
    assert submit_lead(employee, program).status == LeadStatus.REJECTED


def test_rules_switched_off_do_not_run(employee, program):
    program.rule_self_referral = "off"
    program.save()
    assert submit_lead(employee, program, email=employee.email).status == LeadStatus.SUBMITTED


# --- Attribution and conflicts -------------------------------------------------------


def _second(program, first_data, second_data):
    a, b = UserFactory(), UserFactory()
    first = submit_lead(a, program, **first_data)
    second = submit_lead(b, program, **second_data)
    return first, second


def test_same_email_in_different_case_is_a_conflict(program):
    first, second = _second(
        program, {"email": "Ann@Globex.example"}, {"email": "  ann@globex.EXAMPLE "}
    )
    assert second.conflict_with == first
    assert second.status == LeadStatus.SUBMITTED  # flagged for a reviewer, not rejected
    assert second.flags[0]["rule"] == "duplicate"
    assert first.conflict_with is None  # the earliest submission wins by default


def test_same_phone_in_two_formats_is_a_conflict(program):
    first, second = _second(
        program,
        {"email": "", "phone": "040 123 4567", "company": ""},
        {"email": "", "phone": "+358-40-1234567", "company": ""},
    )
    assert first.phone_e164 == second.phone_e164 == "+358401234567"
    assert second.conflict_with == first


def test_same_company_domain_is_a_conflict(program):
    first, second = _second(
        program,
        {"email": "ann@globex.example"},
        {"email": "bob@globex.example", "company": "Globex"},
    )
    assert second.conflict_with == first


def test_personal_mail_providers_are_not_company_domains(program):
    first, second = _second(
        program,
        {"email": "ann@gmail.com", "company": ""},
        {"email": "bob@gmail.com", "company": ""},
    )
    assert second.conflict_with is None


def test_outside_the_attribution_window_there_is_no_conflict(program):
    a, b = UserFactory(), UserFactory()
    first = submit_lead(a, program, email="ann@globex.example")
    Lead.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - timedelta(days=program.attribution_window_days + 1)
    )
    second = submit_lead(b, program, email="ann@globex.example")
    assert second.conflict_with is None and not second.flags


def test_closed_leads_do_not_block_new_ones(program, employee):
    first = submit_lead(UserFactory(), program, email="ann@globex.example")
    Lead.objects.filter(pk=first.pk).update(status="lost")
    assert submit_lead(employee, program, email="ann@globex.example").conflict_with is None


def test_duplicate_rule_set_to_reject_links_to_the_winner(program, employee):
    program.rule_duplicate = "reject"
    program.save()
    first = submit_lead(UserFactory(), program, email="ann@globex.example")
    second = submit_lead(employee, program, email="ann@globex.example")
    assert (second.status, second.rejection_reason, second.conflict_with) == (
        "rejected",
        "duplicate",
        first,
    )


def test_a_submission_request_runs_a_small_fixed_number_of_statements(
    client, employee, program, monkeypatch, django_assert_max_num_queries
):
    """The request writes the lead, its audit record and its outbox row; points, boards,
    notifications and webhooks follow from the outbox (not counted here). Ten here on
    PostgreSQL: the session (from the database in tests), the user, the program, a
    savepoint, the referrer's row lock and the day's count (this program caps submissions
    per day), the advisory locks, the conflict look-up, one statement writing the three
    rows, the release. SQLite has no INSERT inside WITH: three INSERTs, no advisory locks.
    No groups query."""
    from django.db import connection

    from portal.events import services as events

    monkeypatch.setattr(events, "_kick", lambda event_id: None)  # the worker's part
    client.force_login(employee)
    _post(client, program, email="warm@up.example")  # sessions, caches and ContentTypes warm
    with django_assert_max_num_queries(10 if connection.vendor == "postgresql" else 11) as captured:
        response = _post(client, program, email="second@prospect.example")
    assert response.status_code == 302
    assert Lead.objects.count() == 2
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert not any("AUTH_GROUP" in s for s in statements)
    inserts = [s for s in statements if s.startswith(("INSERT", "WITH"))]
    if connection.vendor == "postgresql":
        assert len(inserts) == 1 and inserts[0].startswith("WITH")
        assert all(t in inserts[0] for t in ("LEADS_LEAD", "AUDIT_AUDITEVENT", "EVENTS_EVENT"))
    else:
        assert len(inserts) == 3  # lead, audit, event


def test_the_conflict_look_up_finds_the_earliest_contender_and_never_the_lead_itself(
    employee, program
):
    from portal.leads.rules import find_conflict

    first = submit_lead(employee, program, email="ann@initech.example", company="")
    second = submit_lead(employee, program, email="other@initech.example", company="")
    assert second.conflict_with == first  # same company domain
    assert find_conflict(lead=first) == second  # saved: excludes itself
    found = find_conflict(lead=second)
    assert found == first
    assert (found.organisation_id, found.submitted_at) == (
        first.organisation_id,
        first.submitted_at,
    )
    lone = submit_lead(employee, program, email="", phone="+358401234567", company="")
    assert find_conflict(lead=lone) is None


def _written(lead: Lead) -> tuple[dict, dict, dict]:
    """The lead, its audit record and its outbox row as stored, without keys and times."""
    from django.forms.models import model_to_dict

    from portal.events.models import Event

    drop = {"id", "submitted_at", "status_changed_at", "consent_at", "email", "name"}
    row = {k: v for k, v in model_to_dict(Lead.objects.get(pk=lead.pk)).items() if k not in drop}
    audit = AuditEvent.objects.get(target_id=str(lead.pk), action="lead.submitted")
    event = Event.objects.get(aggregate=f"lead:{lead.pk}", name="lead.submitted")
    assert (audit.created_at - lead.submitted_at).total_seconds() < 5
    assert event.occurred_at == lead.submitted_at and event.created_at >= event.occurred_at
    return (
        row,
        {
            k: v
            for k, v in model_to_dict(audit).items()
            if k not in {"id", "target_id", "created_at"}
        },
        {
            **{k: v for k, v in model_to_dict(event).items() if k not in {"id", "aggregate"}},
            "occurred_at": None,
            "created_at": None,
            "handled_at": event.handled_at is not None,  # by the handlers, after commit
            "payload": {**event.payload, "lead": event.payload["lead"] == lead.pk},
        },
    )


def test_the_lead_its_audit_record_and_its_outbox_row_are_written_alike_on_every_path(
    employee, program, monkeypatch
):
    """On PostgreSQL the three rows go in one statement; the one-by-one saves (SQLite, or
    a model someone hooks into) write the same values."""
    from portal.core import sql

    program.rule_duplicate = "flag"
    program.save()
    together = submit_lead(employee, program, email="ann@globex.example", company="Globex")
    monkeypatch.setattr(sql, "_orm_only", lambda rows: True)
    one_by_one = submit_lead(employee, program, email="ann@globex.example", company="Globex")
    assert one_by_one.conflict_with == together  # the conflict look-up sees the first
    first, second = _written(together), _written(one_by_one)
    assert first[0] == {**second[0], "conflict_with": None, "flags": []}
    assert second[0]["flags"] and second[1]["data"]["flags"] == second[0]["flags"]
    assert first[1] == {**second[1], "data": {**second[1]["data"], "flags": []}}
    assert first[2] == second[2]
    assert first[2]["payload"]["lead"] is True and first[2]["handled_at"] is True
    for lead in (together, one_by_one):
        assert lead.pk and not lead._state.adding


def test_a_receiver_on_a_written_row_is_not_skipped(employee, program):
    """A ``post_save`` receiver on one of the models: the rows go through ``save()``."""
    from django.db.models.signals import post_save

    heard: list[str] = []

    def receiver(sender, instance, created, **kwargs):
        heard.append(instance.action)

    post_save.connect(receiver, sender=AuditEvent)
    try:
        lead = submit_lead(employee, program)
    finally:
        post_save.disconnect(receiver, sender=AuditEvent)
    assert heard == ["lead.submitted"]
    assert AuditEvent.objects.filter(target_id=str(lead.pk)).count() == 1
