# SPDX-License-Identifier: AGPL-3.0-or-later
"""The partner agreement: accepted per user and version before the next lead."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cms.models import AgreementAcceptance, AgreementPage
from portal.audit.models import AuditEvent
from portal.leads.models import Lead
from portal.notifications.models import Notification
from tests.factories import submit_lead

from .conftest import publish


@pytest.fixture
def agreement(home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = publish(
            home,
            AgreementPage(
                title="Partner agreement",
                slug="agreement",
                audience="partners",
                version=1,
                body="<p>Play fair.</p>",
            ),
        )
    Notification.objects.filter(kind="agreement_new_version").delete()
    return page


def _form_data(program, n=1):
    return {
        "program": program.pk,
        "name": f"Prospect {n}",
        "email": f"p{n}@prospect{n}.example",
        "company": f"Prospect {n} Ltd",
        "consent": "on",
        "notes": "Needs a platform",
    }


def test_partner_cannot_submit_before_accepting(client, agreement, partner_user, program):
    client.force_login(partner_user)
    response = client.get(reverse("leads:new"))
    body = response.content.decode()
    assert "accept version 1 of the partner agreement first" in body
    assert f'href="{agreement.url}"' in body
    response = client.post(reverse("leads:new"), _form_data(program))
    assert not Lead.objects.exists()
    with pytest.raises(PermissionDenied):
        submit_lead(partner_user, program)
    assert not Lead.objects.exists()


def test_dashboard_points_the_partner_to_the_agreement(client, agreement, partner_user):
    client.force_login(partner_user)
    body = client.get(reverse("dashboards:home"), follow=True).content.decode()
    assert "Read the agreement" in body


def test_accepting_records_version_time_and_ip_then_submission_works(
    client, agreement, partner_user, program
):
    client.force_login(partner_user)
    response = client.post(
        reverse("cms:agreement_accept", args=[agreement.pk]),
        {"accept": "1"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.get(user=partner_user)
    assert (acceptance.version, acceptance.ip_address) == (1, "203.0.113.7")
    assert acceptance.revision_id == agreement.live_revision_id
    assert acceptance.accepted_at is not None
    assert AuditEvent.objects.filter(action="agreement.accepted", actor=partner_user).exists()
    body = client.get(agreement.url).content.decode()
    assert "You accepted this version" in body
    submit_lead(partner_user, program)
    assert Lead.objects.count() == 1


def test_accepting_needs_the_box_ticked(client, agreement, partner_user):
    client.force_login(partner_user)
    client.post(reverse("cms:agreement_accept", args=[agreement.pk]), {})
    assert not AgreementAcceptance.objects.exists()


def test_accepting_twice_keeps_one_record(client, agreement, partner_user):
    client.force_login(partner_user)
    for _ in range(2):
        client.post(reverse("cms:agreement_accept", args=[agreement.pk]), {"accept": "1"})
    assert AgreementAcceptance.objects.filter(user=partner_user).count() == 1


@pytest.mark.parametrize("persona", ["employee", "manager", "reviewer", "finance"])
def test_only_partner_users_accept(client, request, agreement, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("cms:agreement_accept", args=[agreement.pk]), {"accept": "1"})
    assert response.status_code == 403
    assert not AgreementAcceptance.objects.exists()


def test_visitors_are_sent_to_log_in(client, agreement):
    response = client.post(reverse("cms:agreement_accept", args=[agreement.pk]), {"accept": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_employees_are_not_asked(agreement, employee, program):
    submit_lead(employee, program)
    assert Lead.objects.count() == 1


def test_a_new_version_asks_again_and_notifies_partners(
    client,
    agreement,
    partner_user,
    partner_admin,
    employee,
    program,
    django_capture_on_commit_callbacks,
):
    from cms.agreements import agreement_accept

    agreement_accept(user=partner_user, page=agreement, ip_address="198.51.100.1")
    submit_lead(partner_user, program)
    # A correction that keeps the version changes nothing for partners.
    agreement.body = "<p>Play fair, always.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        agreement.save_revision().publish()
    submit_lead(partner_user, program)
    assert not Notification.objects.filter(kind="agreement_new_version", user=partner_user).exists()

    agreement.version = 2
    agreement.changes = "Commissions are held for 45 days."
    with django_capture_on_commit_callbacks(execute=True):
        agreement.save_revision().publish()
    with pytest.raises(PermissionDenied):
        submit_lead(partner_user, program)
    asked = set(
        Notification.objects.filter(kind="agreement_new_version").values_list("user", flat=True)
    )
    assert asked == {partner_user.pk, partner_admin.pk}
    client.force_login(partner_user)
    body = client.get(agreement.url).content.decode()
    assert "Commissions are held for 45 days." in body and "Accept the agreement" in body
    client.post(reverse("cms:agreement_accept", args=[agreement.pk]), {"accept": "1"})
    assert list(
        AgreementAcceptance.objects.filter(user=partner_user).values_list("version", flat=True)
    ) == [2, 1]
    submit_lead(partner_user, program)
    assert Lead.objects.filter(referrer=partner_user).count() == 3


def test_partner_referral_link_pauses_until_the_agreement_is_accepted(
    client, agreement, partner_user, program
):
    from portal.leads.referrals import referral_link_for

    link = referral_link_for(user=partner_user)
    assert client.get(f"/r/{link.code}/").status_code == 404
    from cms.agreements import agreement_accept

    agreement_accept(user=partner_user, page=agreement, ip_address=None)
    assert client.get(f"/r/{link.code}/").status_code == 200


def test_reviewers_read_the_acceptances_in_the_admin(client, agreement, partner_user, reviewer):
    from cms.agreements import agreement_accept

    agreement_accept(user=partner_user, page=agreement, ip_address="192.0.2.10")
    client.force_login(reviewer)
    body = client.get("/admin/agreement-acceptances/").content.decode()
    assert partner_user.email in body or partner_user.get_full_name() in body
    assert "192.0.2.10" in body


@pytest.mark.parametrize("persona", ["manager", "finance", "employee", "partner_admin"])
def test_other_people_do_not_see_the_acceptances(client, request, agreement, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/agreement-acceptances/")
    assert response.status_code in {302, 403}


def test_the_api_follows_the_same_agreement_rule(agreement, partner_user, program):
    from cms.agreements import agreement_accept
    from portal.api.services import api_token_create
    from tests.portal.api.conftest import ApiClient

    _row, token = api_token_create(user=partner_user, name="crm", actor=partner_user)
    api = ApiClient(token)
    payload = {"program": program.slug, "name": "A", "email": "a@b.example", "consent": True}
    response = api.post("/api/v1/leads/", payload)
    assert response.status_code == 403
    assert "partner agreement" in response.json()["message"]
    assert not Lead.objects.exists()
    agreement_accept(user=partner_user, page=agreement, ip_address=None)
    assert api.post("/api/v1/leads/", payload).status_code == 201
