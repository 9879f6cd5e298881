# SPDX-License-Identifier: AGPL-3.0-or-later
"""Customers who become referrers: one invitation per won lead, a one-step sign-up, and
a customer account confined to its own pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.accounts.models import User
from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for
from portal.leads.services import lead_mark_won, lead_qualify
from portal.networks.models import CustomerInvitation, ProgramNetworkOptions
from portal.rewards.selectors import balance_of
from tests.factories import PASSWORD, UserFactory, submit_lead

LINK = re.compile(r"http://[^\s]+/join/([\w-]+)/")


@pytest.fixture
def inviting(program):
    ProgramNetworkOptions.objects.create(program=program, invite_won_customers=True)
    return program


def _win(lead, reviewer, value="1000"):
    lead_qualify(lead=lead, actor=reviewer)
    return lead_mark_won(lead=lead, actor=reviewer, deal_value=value, currency="EUR")


def _token() -> str:
    found = LINK.search(mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def test_a_won_lead_invites_its_contact_once(inviting, employee, reviewer):
    lead = submit_lead(employee, inviting, name="Carla Customer", email="carla@buyer.example")
    mail.outbox.clear()
    _win(lead, reviewer)
    invitations = [m for m in mail.outbox if m.to == ["carla@buyer.example"]]
    assert len(invitations) == 1
    assert "/join/" in invitations[0].body
    # The same person won again through another lead: no second invitation.
    again = submit_lead(employee, inviting, email="CARLA@buyer.example", company="Buyer 2")
    Lead.objects.filter(pk=again.pk).update(conflict_with=None)
    _win(Lead.objects.get(pk=again.pk), reviewer)
    assert CustomerInvitation.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["carla@buyer.example"]]) == 1


def test_no_invitation_without_the_program_option_or_for_known_people(program, employee, reviewer):
    _win(submit_lead(employee, program, email="nope@buyer.example"), reviewer)
    ProgramNetworkOptions.objects.create(program=program, invite_won_customers=True)
    known = UserFactory(email="known@known.example")
    _win(submit_lead(employee, program, email=known.email, company="Known"), reviewer)
    assert CustomerInvitation.objects.count() == 0


def test_sign_up_is_one_step_and_works_once(client, inviting, employee, reviewer):
    _win(
        submit_lead(employee, inviting, name="Carla Customer", email="carla@buyer.example"),
        reviewer,
    )
    url = reverse("networks:customer_signup", args=[_token()])
    form = client.get(url)
    assert form.status_code == 200 and "carla@buyer.example" in form.content.decode()
    response = client.post(
        url,
        {"first_name": "Carla", "last_name": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("networks:customer_home")
    carla = User.objects.get(email="carla@buyer.example")
    assert carla.is_customer and carla.partner_organisation is None and carla.team is None
    home = client.get(reverse("networks:customer_home")).content.decode()
    assert referral_link_for(user=carla).code in home
    client.logout()
    assert Client().get(url).status_code == 410  # used


def test_a_customer_refers_through_their_own_link_and_earns_points(
    client, inviting, employee, reviewer
):
    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    link = referral_link_for(user=customer)
    answer = client.post(
        reverse("referral_page", args=[link.code]),
        {
            "program": inviting.pk,
            "name": "Nils Next",
            "email": "nils@next.example",
            "consent": "on",
        },
    )
    assert answer.status_code == 302
    lead = Lead.objects.get(email="nils@next.example")
    assert lead.referrer == customer
    lead_qualify(lead=lead, actor=reviewer)
    assert balance_of(participant=customer) > 0


OURS = ("portal.", "leaderboard.", "cms.")
# A customer's own pages, and pages of any signed-in person about themselves.
CUSTOMER_MAY = {
    "networks:customer_home",
    "networks:customer_signup",  # a capability: the token (an unknown one answers 410)
    "campaigns:unsubscribe",  # a capability: the signed token (a bad one answers 400)
    "referral_page",
    "referral_thanks",
    "referral_brand_css",  # the program's colours for the public landing
    "javascript_catalog",
    "healthz",
    "set_language",
}
ANY_SIGNED_IN = {
    "accounts:preferences",
    "accounts:personal_data",
    "accounts:personal_data_download",
    "notifications:list",
    "notifications:preferences",
    "notifications:read",
    "notifications:read_all",
    "cms:search",
    "api:docs",
    "api:schema",
    "api:not_found",
    "api:me",
    "api_tokens:tokens",
    "dashboards:home",  # sends each person to their own page: the customer's
    # Boards are every participant's, shown to customers as to partners (initials).
    "leaderboard:boards",
    "leaderboard:contests",
    "leaderboard:tv",
    "api:boards",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            view = getattr(p.callback, "view_class", None) or p.callback
            if getattr(view, "__module__", "").startswith(OURS):
                yield prefix + str(p.pattern), namespace + (p.name or "")


def test_a_customer_is_refused_every_partner_and_employee_page(client, db):
    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    client.force_login(customer)
    allowed, walked = [], 0
    for route, name in _walk(get_resolver().url_patterns):
        if name in CUSTOMER_MAY | ANY_SIGNED_IN:
            continue
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route).replace("^", "").replace("$", "")
        response = client.get(url)
        walked += 1
        location = response.get("Location", "")
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 302 and ("login" in location or location == "/admin/")
        )
        if not refused:
            allowed.append((name, url, response.status_code))
    assert walked > 50
    home = client.get(reverse("dashboards:home"))
    assert home["Location"] == reverse("networks:customer_home")
    assert allowed == [], "\n".join(map(str, allowed))


@override_settings(PARTNER_PATH_WON_DEALS=2)
def test_a_customer_with_enough_won_deals_applies_and_the_organisation_waits_in_review(
    client, program, reviewer
):
    from portal.accounts.models import PartnerOrganisation
    from portal.notifications.models import Notification

    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    client.force_login(customer)
    apply = reverse("networks:partner_apply")
    form = {"name": "Carla Consulting", "email_domain": "carla-consulting.example"}
    _win(submit_lead(customer, program), reviewer)
    assert "Become a partner" not in client.get(reverse("networks:customer_home")).content.decode()
    client.post(apply, form)  # one won deal: not yet
    assert not PartnerOrganisation.objects.filter(name="Carla Consulting").exists()
    _win(submit_lead(customer, program), reviewer)
    assert "Become a partner" in client.get(reverse("networks:customer_home")).content.decode()
    client.post(apply, form)
    organisation = PartnerOrganisation.objects.get(name="Carla Consulting")
    assert organisation.status == "in_review" and not organisation.is_active
    assert organisation.application.applicant == customer
    assert Notification.objects.filter(user=reviewer, kind="partner_application").count() == 1
    client.post(apply, {**form, "name": "Carla Again"})  # once only
    assert not PartnerOrganisation.objects.filter(name="Carla Again").exists()
    assert "is in review" in client.get(reverse("networks:customer_home")).content.decode()


def test_employees_are_never_offered_the_partner_path(client, employee):
    client.force_login(employee)
    assert client.post(reverse("networks:partner_apply"), {"name": "X"}).status_code == 403
