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
from portal.notifications.models import Notification
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
    # Their points buy rewards: the catalog and their own redemptions, by page and API.
    "rewards:catalog",
    "rewards:redeem",
    "rewards:redemptions",
    "rewards:redemption_cancel",
    "api:catalog",
    "api:redeem",
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


# --- A customer's rewards ----------------------------------------------------------------


def _customer_with_points(client, program, reviewer):
    """A customer who earned points the real way: a referral through their link, qualified."""
    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    link = referral_link_for(user=customer)
    client.post(
        reverse("referral_page", args=[link.code]),
        {"program": program.pk, "name": "Nils Next", "email": "nils@next.example", "consent": "on"},
    )
    lead_qualify(lead=Lead.objects.get(email="nils@next.example"), actor=reviewer)
    assert balance_of(participant=customer) > 0
    return customer


def test_a_customer_sees_the_catalog_and_redeems_with_their_points(client, program, reviewer):
    from portal.rewards.models import Redemption, RewardItem

    customer = _customer_with_points(client, program, reviewer)
    earned = balance_of(participant=customer)
    mug = RewardItem.objects.create(name="Mug", kind="swag", points_price=earned, stock=3)
    client.force_login(customer)
    home = client.get(reverse("networks:customer_home")).content.decode()
    assert reverse("rewards:catalog") in home
    page = client.get(reverse("rewards:catalog"))
    assert page.status_code == 200 and "Mug" in page.content.decode()
    # The customer's tabs lead only where they may go.
    assert reverse("rewards:goals") not in page.content.decode()
    response = client.post(reverse("rewards:redeem", args=[mug.pk]), {"confirmed": "yes"})
    assert response["Location"] == reverse("rewards:redemptions")
    redemption = Redemption.objects.get(participant=customer)
    assert (redemption.item, redemption.status) == (mug, "requested")
    assert balance_of(participant=customer) == 0
    mug.refresh_from_db()
    assert mug.stock == 2
    mine = client.get(reverse("rewards:redemptions"))
    assert mine.status_code == 200 and "Mug" in mine.content.decode()
    # The waiting request can be cancelled: the points come back.
    client.post(reverse("rewards:redemption_cancel", args=[redemption.pk]))
    assert balance_of(participant=customer) == earned


def test_a_customer_redeems_through_the_api_too(client, program, reviewer):
    from portal.api.services import api_token_create
    from portal.rewards.models import Redemption, RewardItem

    customer = _customer_with_points(client, program, reviewer)
    mug = RewardItem.objects.create(name="Mug", kind="swag", points_price=1)
    _row, token = api_token_create(user=customer, name="tests", actor=customer)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    listed = api.get("/api/v1/rewards/catalog/")
    assert listed.status_code == 200
    assert [(i["name"], i["affordable"]) for i in listed.json()] == [("Mug", True)]
    done = api.post(f"/api/v1/rewards/catalog/{mug.pk}/redeem/", content_type="application/json")
    assert done.status_code == 201
    assert Redemption.objects.filter(participant=customer, item=mug).count() == 1


def test_a_customer_with_points_is_still_refused_partner_and_employee_pages(
    client, program, reviewer
):
    from portal.rewards.models import Redemption, RewardItem

    customer = _customer_with_points(client, program, reviewer)
    RewardItem.objects.create(name="Mug", kind="swag", points_price=1)
    client.force_login(customer)
    for name in (
        "rewards:home",
        "rewards:raffles",
        "rewards:goals",
        "rewards:vouchers",
        "leads:new",
        "leads:list",
        "networks:outbound_list",
        "payouts:commissions",
        "payouts:statements",
        "dashboards:partner",
        "dashboards:employee",
    ):
        assert client.get(reverse(name)).status_code == 403, name
    assert not Redemption.objects.exists()


# --- From customer to partner admin -------------------------------------------------------


@override_settings(PARTNER_PATH_WON_DEALS=1)
def test_approving_a_customers_application_makes_them_the_organisations_admin(
    client, program, reviewer
):
    from portal.accounts.models import PartnerOrganisation
    from portal.audit.models import AuditEvent

    customer = UserFactory(email="carla@buyer.example", is_customer=True, language="fi")
    _win(submit_lead(customer, program), reviewer)
    client.force_login(customer)
    client.post(
        reverse("networks:partner_apply"),
        {"name": "Carla Consulting", "email_domain": "carla-consulting.example"},
    )
    organisation = PartnerOrganisation.objects.get(name="Carla Consulting")
    customer.refresh_from_db()
    assert customer.is_customer and customer.partner_organisation is None  # in review
    assert client.get(reverse("dashboards:partner")).status_code == 403

    staff = Client()
    staff.force_login(reviewer)
    listed = staff.get(reverse("accounts:partner_list")).content.decode()
    assert "Applied, in review" in listed and ">Approve</button>" in listed
    staff.post(reverse("accounts:partner_status", args=[organisation.pk]), {"status": "active"})

    organisation.refresh_from_db()
    customer.refresh_from_db()
    assert organisation.is_active
    assert customer.partner_organisation == organisation and customer.is_partner_admin
    assert not customer.is_customer
    change = AuditEvent.objects.get(action="user.role_changed", target_id=str(customer.pk))
    assert (change.from_state, change.to_state, change.actor) == (
        "customer",
        "partner_admin",
        reviewer,
    )
    # They are told, in their language, in the portal and by e-mail, with their new page.
    told = Notification.objects.get(user=customer, kind="partner_admitted")
    assert told.title == "Hakemuksesi on hyväksytty: Carla Consulting on kumppani"
    assert "kumppanin pääkäyttäjä" in told.body
    assert told.url == reverse("dashboards:organisation")
    assert [m.subject for m in mail.outbox if m.to == [customer.email]][-1] == told.title
    # Their pages are now a partner admin's: the organisation's, not the customer's.
    assert client.get(reverse("dashboards:partner")).status_code == 200
    assert client.get(reverse("dashboards:organisation")).status_code == 200
    assert client.get(reverse("networks:customer_home")).status_code == 403
    # Suspending and reactivating later changes nothing more (once).
    staff.post(reverse("accounts:partner_status", args=[organisation.pk]), {"status": "suspended"})
    staff.post(reverse("accounts:partner_status", args=[organisation.pk]), {"status": "active"})
    assert AuditEvent.objects.filter(action="user.role_changed").count() == 1
    assert Notification.objects.filter(user=customer, kind="partner_admitted").count() == 1


@override_settings(PARTNER_PATH_WON_DEALS=1)
def test_suspending_an_application_leaves_the_applicant_a_customer(client, program, reviewer):
    from portal.accounts.models import PartnerOrganisation
    from portal.audit.models import AuditEvent

    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    _win(submit_lead(customer, program), reviewer)
    client.force_login(customer)
    client.post(reverse("networks:partner_apply"), {"name": "Carla Consulting"})
    organisation = PartnerOrganisation.objects.get(name="Carla Consulting")
    staff = Client()
    staff.force_login(reviewer)
    staff.post(reverse("accounts:partner_status", args=[organisation.pk]), {"status": "suspended"})
    customer.refresh_from_db()
    assert customer.is_customer and customer.partner_organisation is None
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()
    assert not Notification.objects.filter(kind="partner_admitted").exists()
    assert client.get(reverse("networks:customer_home")).status_code == 200
