# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.leads import services
from portal.leads.models import Lead, LeadStatus
from portal.notifications.models import Notification
from tests.conftest import PERSONAS
from tests.factories import UserFactory, submit_lead

# action -> (a status it applies to, keyword arguments)
ACTIONS = {
    "start_review": (LeadStatus.SUBMITTED, {}),
    "qualify": (LeadStatus.IN_REVIEW, {}),
    "reject": (LeadStatus.QUALIFIED, {"reason": "not_a_fit", "note": "Too small for us."}),
    "win": (LeadStatus.QUALIFIED, {"deal_value": "1200.50", "currency": "eur"}),
    "lose": (LeadStatus.QUALIFIED, {"reason": "Went with a competitor."}),
}
SERVICES = {
    "start_review": services.lead_start_review,
    "qualify": services.lead_qualify,
    "reject": services.lead_reject,
    "win": services.lead_mark_won,
    "lose": lambda **kw: services.lead_mark_lost(
        lead=kw["lead"], actor=kw["actor"], reason=kw["reason"]
    ),
}


def _lead_in(status, program, referrer=None):
    lead = submit_lead(referrer or UserFactory(), program)
    extra = (
        {"deal_value": Decimal("100"), "deal_currency": "EUR"} if status == LeadStatus.WON else {}
    )
    extra |= {"rejection_reason": "invalid"} if status == LeadStatus.REJECTED else {}
    Lead.objects.filter(pk=lead.pk).update(status=status, **extra)
    lead.refresh_from_db()
    return lead


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_review_transition_is_for_reviewers_only(request, program, action, persona):
    actor = request.getfixturevalue(persona)
    status, kwargs = ACTIONS[action]
    lead = _lead_in(status, program)
    if persona == "reviewer":
        updated = SERVICES[action](lead=lead, actor=actor, **kwargs)
        assert updated.status != status
        event = AuditEvent.objects.get(action=f"lead.{action}", target_id=str(lead.pk))
        assert (event.actor, event.from_state, event.to_state) == (actor, status, updated.status)
    else:
        with pytest.raises(PermissionDenied):
            SERVICES[action](lead=lead, actor=actor, **kwargs)
        lead.refresh_from_db()
        assert lead.status == status
        assert not AuditEvent.objects.filter(action=f"lead.{action}").exists()


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", ["employee", "partner_admin", "manager", "finance"])
def test_admin_actions_are_refused_to_non_reviewers(client, request, program, action, persona):
    client.force_login(request.getfixturevalue(persona))
    status, kwargs = ACTIONS[action]
    lead = _lead_in(status, program)
    response = client.post(reverse("leads_admin:act", args=[lead.pk]), {"action": action, **kwargs})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.status == status


def test_reviewer_works_a_lead_through_the_admin(
    client, reviewer, program, django_capture_on_commit_callbacks
):
    referrer = UserFactory()
    lead = submit_lead(referrer, program)
    client.force_login(reviewer)
    url = reverse("leads_admin:act", args=[lead.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "start_review"})
        client.post(url, {"action": "qualify", "note": "Budget confirmed."})
        client.post(url, {"action": "win", "deal_value": "24000", "currency": "EUR"})
    lead.refresh_from_db()
    assert (lead.status, lead.deal_value, lead.deal_currency) == ("won", Decimal("24000.00"), "EUR")
    actions = list(
        AuditEvent.objects.filter(target_id=str(lead.pk)).values_list("action", flat=True)
    )
    assert actions == ["lead.submitted", "lead.start_review", "lead.qualify", "lead.win"]
    assert Notification.objects.filter(user=referrer, kind="lead_status").count() == 3
    assert any(m.subject.endswith("Won") for m in mail.outbox if m.to == [referrer.email])
    timeline = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "Budget confirmed." in timeline


def test_reviewer_never_reviews_their_own_lead(reviewer, program):
    lead = submit_lead(reviewer, program)
    with pytest.raises(PermissionDenied, match="submitted yourself"):
        services.lead_qualify(lead=lead, actor=reviewer)


@pytest.mark.parametrize(
    ("status", "action", "kwargs"),
    [
        (LeadStatus.SUBMITTED, "win", {"deal_value": "10", "currency": "EUR"}),
        (LeadStatus.WON, "qualify", {}),
        (LeadStatus.REJECTED, "qualify", {}),
        (LeadStatus.LOST, "reject", {"reason": "invalid"}),
        (LeadStatus.SUBMITTED, "lose", {"reason": "x"}),
        (LeadStatus.IN_REVIEW, "start_review", {}),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing(
    reviewer, program, status, action, kwargs
):
    lead = _lead_in(status, program)
    with pytest.raises(services.IllegalTransition, match="possible only when it is"):
        SERVICES[action](lead=lead, actor=reviewer, **kwargs)
    lead.refresh_from_db()
    assert lead.status == status
    assert not AuditEvent.objects.filter(action=f"lead.{action}").exists()


def test_illegal_transition_in_the_admin_shows_the_reason(client, reviewer, program):
    lead = _lead_in(LeadStatus.SUBMITTED, program)
    client.force_login(reviewer)
    response = client.post(
        reverse("leads_admin:act", args=[lead.pk]),
        {"action": "win", "deal_value": "5", "currency": "EUR"},
        follow=True,
    )
    assert "possible only when it is qualified" in response.content.decode()


@pytest.mark.parametrize(
    ("deal_value", "currency", "message"),
    [
        ("", "EUR", "positive amount"),
        ("-5", "EUR", "positive amount"),
        ("abc", "EUR", "positive amount"),
        ("NaN", "EUR", "positive amount"),
        ("Infinity", "EUR", "positive amount"),
        ("0.004", "EUR", "positive amount"),  # nothing once in cents
        # numeric(14, 2) holds less than a trillion: refused here, not a database error.
        ("1000000000000", "EUR", "positive amount"),
        ("999999999999.995", "EUR", "positive amount"),  # a trillion once rounded
        ("100", "EURO", "three-letter"),
        ("100", "", "three-letter"),
        ("100", "ÄÖÜ", "three-letter"),  # letters, but no ISO code
    ],
)
def test_won_needs_a_deal_value_and_currency(reviewer, program, deal_value, currency, message):
    lead = _lead_in(LeadStatus.QUALIFIED, program)
    with pytest.raises(ValidationError, match=message):
        services.lead_mark_won(lead=lead, actor=reviewer, deal_value=deal_value, currency=currency)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_the_largest_deal_value_stored_is_kept_to_the_cent(reviewer, program):
    lead = _lead_in(LeadStatus.QUALIFIED, program)
    services.lead_mark_won(
        lead=lead, actor=reviewer, deal_value="999999999999.99", currency=" eur "
    )
    lead.refresh_from_db()
    assert (lead.deal_value, lead.deal_currency) == (Decimal("999999999999.99"), "EUR")


def test_lost_and_rejected_need_a_reason_the_submitter_reads(client, reviewer, program):
    referrer = UserFactory()
    lead = _lead_in(LeadStatus.QUALIFIED, program, referrer)
    with pytest.raises(ValidationError):
        services.lead_mark_lost(lead=lead, actor=reviewer, reason="  ")
    with pytest.raises(ValidationError):
        services.lead_reject(lead=lead, actor=reviewer, reason="")
    services.lead_reject(
        lead=lead,
        actor=reviewer,
        reason="not_a_fit",
        note="We only serve companies over 10 people.",
    )
    client.force_login(referrer)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Not a fit" in page and "We only serve companies over 10 people." in page


def test_submitter_withdraws_before_review_only(employee, program, reviewer):
    lead = submit_lead(employee, program)
    with pytest.raises(PermissionDenied):
        services.lead_withdraw(lead=lead, actor=UserFactory())
    services.lead_start_review(lead=lead, actor=reviewer)
    with pytest.raises(services.IllegalTransition):
        services.lead_withdraw(lead=lead, actor=employee)
    fresh = submit_lead(employee, program)
    assert services.lead_withdraw(lead=fresh, actor=employee).status == LeadStatus.WITHDRAWN


def test_withdraw_button_works_for_the_submitter(client, employee, program):
    lead = submit_lead(employee, program)
    client.force_login(employee)
    assert "Withdraw" in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    client.post(reverse("leads:withdraw", args=[lead.pk]), {"confirmed": "yes"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_qualifying_at_the_same_instant_make_one_transition(program):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI)")
    from portal.accounts.roles import Role
    from tests.factories import give_role

    first, second = (give_role(UserFactory(), Role.REVIEWER) for _ in range(2))
    lead = submit_lead(UserFactory(), program)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def qualify(reviewer):
        barrier.wait()
        try:
            services.lead_qualify(lead=Lead.objects.get(pk=lead.pk), actor=reviewer)
            outcomes.append("ok")
        except services.IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=qualify, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditEvent.objects.filter(action="lead.qualify", target_id=str(lead.pk)).count() == 1


# --- Conflicts and bulk -------------------------------------------------------------


def test_reviewer_resolves_a_conflict_and_the_loser_links_to_the_winner(client, reviewer, program):
    first = submit_lead(UserFactory(), program, email="ann@globex.example")
    loser_referrer = UserFactory()
    second = submit_lead(loser_referrer, program, email="ANN@globex.example")
    client.force_login(reviewer)
    page = client.get(reverse("leads_admin:detail", args=[second.pk])).content.decode()
    assert f"#{first.pk}" in page and "earliest" in page
    client.post(reverse("leads_admin:act", args=[first.pk]), {"action": "keep", "other": second.pk})
    second.refresh_from_db()
    assert (second.status, second.rejection_reason, second.conflict_with_id) == (
        "rejected",
        "duplicate",
        first.pk,
    )
    client.force_login(loser_referrer)
    assert (
        f"lead #{first.pk}"
        in client.get(reverse("leads:detail", args=[second.pk])).content.decode()
    )


def test_resolving_leads_that_are_not_in_conflict_is_refused(reviewer, program):
    a, b = submit_lead(UserFactory(), program), submit_lead(UserFactory(), program)
    with pytest.raises(ValidationError, match="not in conflict"):
        services.lead_conflict_resolve(actor=reviewer, keep=a, reject=b)


def test_bulk_qualify_and_bulk_reject_report_each_lead(client, reviewer, program):
    leads = [submit_lead(UserFactory(), program) for _ in range(3)]
    won = _lead_in(LeadStatus.WON, program)
    client.force_login(reviewer)
    response = client.post(
        reverse("leads_admin:bulk"),
        {"action": "qualify", "lead": [lead.pk for lead in leads] + [won.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "3 leads updated" in body
    assert f"Lead #{won.pk}" in body
    assert set(
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("status", flat=True)
    ) == {"qualified"}
    client.post(
        reverse("leads_admin:bulk"),
        {"action": "reject", "reason": "not_a_fit", "note": "Out of scope", "lead": [leads[0].pk]},
    )
    leads[0].refresh_from_db()
    assert (leads[0].status, leads[0].status_note) == ("rejected", "Out of scope")


def test_bulk_reject_needs_a_reason(client, reviewer, program):
    lead = submit_lead(UserFactory(), program)
    client.force_login(reviewer)
    client.post(reverse("leads_admin:bulk"), {"action": "reject", "reason": "", "lead": [lead.pk]})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.SUBMITTED
