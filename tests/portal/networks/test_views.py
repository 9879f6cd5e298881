# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages of the referral network: a partner sees only the outbound leads sent to them,
contact data only where the rules allow, the balance only of their own partnership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.networks.models import OutboundLead
from tests.factories import (
    PartnerAdminFactory,
    ReciprocalTermsFactory,
    UserFactory,
    send_outbound,
)


@pytest.fixture
def sent(acme, program, employee, other_partner_admin):
    ReciprocalTermsFactory(organisation=acme)
    ReciprocalTermsFactory(organisation=other_partner_admin.partner_organisation)
    return {
        "acme": send_outbound(employee, acme, program, name="Ada Acmeprospect"),
        "other": send_outbound(
            employee, other_partner_admin.partner_organisation, program, name="Olga Otherprospect"
        ),
    }


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("persona", ["partner_user", "partner_admin"])
def test_a_partner_sees_only_the_leads_sent_to_them_with_contact_data(
    request, client, sent, persona
):
    user = request.getfixturevalue(persona)
    html = _page(client, user, reverse("networks:outbound_list")).content.decode()
    assert "Ada Acmeprospect" in html
    assert "Olga Otherprospect" not in html
    detail = _page(client, user, reverse("networks:outbound_detail", args=[sent["acme"].pk]))
    assert sent["acme"].email in detail.content.decode()
    assert (
        _page(
            client, user, reverse("networks:outbound_detail", args=[sent["other"].pk])
        ).status_code
        == 404
    )


def test_a_manager_sees_the_teams_sent_leads_without_contact_data(client, sent, manager):
    html = _page(client, manager, reverse("networks:outbound_list")).content.decode()
    assert "Ada Acmeprospect" not in html
    detail = _page(client, manager, reverse("networks:outbound_detail", args=[sent["acme"].pk]))
    assert detail.status_code == 200
    assert sent["acme"].email not in detail.content.decode()


def test_another_employee_sees_nothing_of_someone_elses_leads(client, sent):
    stranger = UserFactory()
    html = _page(client, stranger, reverse("networks:outbound_list")).content.decode()
    assert "Ada Acmeprospect" not in html
    assert (
        _page(
            client, stranger, reverse("networks:outbound_detail", args=[sent["acme"].pk])
        ).status_code
        == 404
    )


def test_erased_contact_data_is_shown_to_nobody(client, sent, partner_admin):
    from django.utils import timezone

    OutboundLead.objects.filter(pk=sent["acme"].pk).update(anonymised_at=timezone.now())
    detail = _page(
        client, partner_admin, reverse("networks:outbound_detail", args=[sent["acme"].pk])
    )
    assert "Ada Acmeprospect" not in detail.content.decode()
    assert "Update this lead" not in detail.content.decode()


def test_an_employee_sends_a_lead_from_the_form(client, acme, program, employee):
    ReciprocalTermsFactory(organisation=acme)
    client.force_login(employee)
    form = client.get(reverse("networks:outbound_new"))
    assert "Acme Partners" in form.content.decode()
    response = client.post(
        reverse("networks:outbound_new"),
        {
            "organisation": acme.pk,
            "program": program.pk,
            "name": "Fiona Formprospect",
            "email": "fiona@form.example",
            "consent": "on",
        },
    )
    outbound = OutboundLead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("networks:outbound_detail", args=[outbound.pk])
    assert (outbound.organisation, outbound.sender) == (acme, employee)


def test_a_partner_cannot_open_the_send_form(client, partner_admin, sent):
    assert _page(client, partner_admin, reverse("networks:outbound_new")).status_code == 403


def test_the_partner_updates_by_the_portal_and_others_change_nothing(
    client, sent, partner_user, other_partner_admin, employee
):
    outbound = sent["acme"]
    for intruder, expected in ((other_partner_admin, 404), (employee, 403)):
        client.force_login(intruder)
        url = reverse("networks:outbound_update", args=[outbound.pk, "accept"])
        assert client.post(url).status_code == expected
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    client.force_login(partner_user)
    client.post(reverse("networks:outbound_update", args=[outbound.pk, "accept"]))
    response = client.post(
        reverse("networks:outbound_update", args=[outbound.pk, "win"]),
        {"won-deal_value": "abc", "won-currency": "EUR"},
        follow=True,
    )
    assert response.status_code == 200
    outbound.refresh_from_db()
    assert outbound.status == "accepted"  # a bad amount: a message, no change
    client.post(
        reverse("networks:outbound_update", args=[outbound.pk, "win"]),
        {"won-deal_value": "950", "won-currency": "EUR"},
    )
    outbound.refresh_from_db()
    assert (outbound.status, str(outbound.deal_value)) == ("won", "950.00")
    assert AuditEvent.objects.filter(action="outbound.win", actor=partner_user).count() == 1


def test_the_balance_page_is_for_reviewers_and_the_partner_itself(
    client, sent, acme, partner_user, reviewer, employee, other_partner_admin
):
    url = reverse("networks:balance", args=[acme.pk])
    html = _page(client, partner_user, url).content.decode()
    assert "Reciprocity with Acme Partners" in html
    assert "1 of 5" in html  # sent against the quota
    assert _page(client, reviewer, url).status_code == 200
    assert _page(client, employee, url).status_code == 403
    assert _page(client, other_partner_admin, url).status_code == 404
    assert _page(client, partner_user, url + "?period=2026-Q9").status_code == 200  # current


def test_insight_shows_reciprocity_to_reviewers(client, sent, reviewer):
    html = _page(client, reviewer, reverse("insight:home")).content.decode()
    assert 'id="reciprocity"' in html and "Acme Partners" in html


def test_another_partners_admin_sees_only_their_own_reciprocity_in_insight(
    client, sent, other_partner_admin
):
    html = _page(client, other_partner_admin, reverse("insight:home")).content.decode()
    assert "Acme Partners" not in html


def test_a_partner_without_terms_sees_no_balance(client, sent):
    admin = PartnerAdminFactory()
    html = _page(client, admin, reverse("networks:outbound_list")).content.decode()
    assert "Reciprocal partners this period" not in html
