# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who holds which role and what each may see and do (portal.accounts.selectors), role by
role: the rules every view, API endpoint and consumer asks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import (
    can_access_admin,
    can_invite_into,
    dashboard_url_for,
    has_role,
    invitations_visible_to,
    is_partner,
    navigation_for,
    needs_mfa_setup,
    organisation_members,
    organisations_visible_to,
    roles_of,
    teams_managed_by,
)
from portal.accounts.services import invitation_create
from tests.factories import (
    PartnerOrganisationFactory,
    PartnerUserFactory,
    TeamFactory,
    UserFactory,
    enable_mfa,
    give_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return UserFactory(email="carla@buyer.example", is_customer=True)


# --- Roles ----------------------------------------------------------------------------------


def test_roles_follow_from_the_record_and_staff_groups(
    employee, partner_user, partner_admin, manager, reviewer, finance, customer
):
    assert roles_of(user=employee) == {Role.EMPLOYEE}
    assert roles_of(user=partner_user) == {Role.PARTNER_USER}
    assert roles_of(user=partner_admin) == {Role.PARTNER_USER, Role.PARTNER_ADMIN}
    assert roles_of(user=manager) == {Role.EMPLOYEE, Role.MANAGER}
    assert roles_of(user=reviewer) == {Role.EMPLOYEE, Role.REVIEWER}
    assert roles_of(user=finance) == {Role.EMPLOYEE, Role.FINANCE}
    assert roles_of(user=customer) == {Role.CUSTOMER}
    assert roles_of(user=AnonymousUser()) == frozenset()


def test_a_deactivated_user_has_no_role_and_a_partner_gets_no_staff_role(reviewer, partner_user):
    reviewer.is_active = False
    reviewer.__dict__.pop("_vouch_roles", None)
    assert roles_of(user=reviewer) == frozenset()
    assert not has_role(user=reviewer, roles=[Role.REVIEWER])
    # Staff groups are for the company's own people: a partner in one gains nothing.
    give_role(partner_user, Role.REVIEWER)
    assert roles_of(user=partner_user) == {Role.PARTNER_USER}
    assert not has_role(user=partner_user, roles=[Role.REVIEWER])


def test_has_role_answers_for_any_of_the_roles_asked(employee, manager, partner_admin, customer):
    assert has_role(user=employee, roles=[Role.EMPLOYEE])
    assert not has_role(user=employee, roles=[Role.MANAGER, Role.REVIEWER])
    assert has_role(user=manager, roles=[Role.REVIEWER, Role.MANAGER])
    assert not has_role(user=manager, roles=[Role.FINANCE])
    assert has_role(user=partner_admin, roles=[Role.PARTNER_ADMIN])
    assert not has_role(user=partner_admin, roles=[Role.MANAGER])
    assert has_role(user=customer, roles=[Role.CUSTOMER])
    assert not has_role(user=AnonymousUser(), roles=[Role.EMPLOYEE])


def test_roles_are_read_once_per_request_and_only_when_a_staff_role_is_asked(
    employee, partner_user, django_assert_num_queries
):
    manager = give_role(UserFactory(), Role.MANAGER)
    fresh = User.objects.get(pk=manager.pk)  # as a new request loads it
    with django_assert_num_queries(1):
        assert roles_of(user=fresh) == {Role.EMPLOYEE, Role.MANAGER}
        assert roles_of(user=fresh) == {Role.EMPLOYEE, Role.MANAGER}
        assert has_role(user=fresh, roles=[Role.MANAGER])
    employee = User.objects.get(pk=employee.pk)
    with django_assert_num_queries(0):
        assert has_role(user=employee, roles=[Role.EMPLOYEE])
        assert not has_role(user=employee, roles=[Role.PARTNER_ADMIN])
        assert not has_role(user=partner_user, roles=[Role.REVIEWER, Role.FINANCE])
        assert roles_of(user=partner_user) == {Role.PARTNER_USER}


def test_is_partner(employee, partner_user, partner_admin, customer):
    assert is_partner(user=partner_user) and is_partner(user=partner_admin)
    assert not is_partner(user=employee) and not is_partner(user=customer)
    assert not is_partner(user=AnonymousUser())


# --- Admin and MFA ------------------------------------------------------------------------


def test_the_admin_is_for_managers_reviewers_finance_and_superusers(
    employee, partner_admin, manager, reviewer, finance
):
    assert can_access_admin(user=manager)
    assert can_access_admin(user=reviewer)
    assert can_access_admin(user=finance)
    assert not can_access_admin(user=employee)
    assert not can_access_admin(user=partner_admin)
    assert not can_access_admin(user=AnonymousUser())
    assert can_access_admin(user=UserFactory(is_superuser=True))


def test_reviewers_and_finance_must_set_up_mfa_others_need_not(
    settings, employee, manager, partner_admin
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    finance = give_role(UserFactory(), Role.FINANCE)
    superuser = UserFactory(is_superuser=True)
    assert needs_mfa_setup(user=reviewer)
    assert needs_mfa_setup(user=finance)
    assert needs_mfa_setup(user=superuser)
    assert not needs_mfa_setup(user=employee)
    assert not needs_mfa_setup(user=manager)
    assert not needs_mfa_setup(user=partner_admin)
    assert not needs_mfa_setup(user=AnonymousUser())
    enable_mfa(reviewer)
    assert not needs_mfa_setup(user=reviewer)
    assert needs_mfa_setup(user=finance)  # one user's authenticator is not another's
    settings.MFA_REQUIRED_FOR_STAFF = False
    assert not needs_mfa_setup(user=finance)


# --- Organisations, invitations, teams ------------------------------------------------------


def test_reviewers_invite_anyone_partner_admins_only_users_into_their_own(
    reviewer, partner_admin, partner_user, acme, employee
):
    other = PartnerOrganisationFactory()
    assert can_invite_into(user=reviewer, organisation=other, as_admin=True)
    assert can_invite_into(user=partner_admin, organisation=acme, as_admin=False)
    assert not can_invite_into(user=partner_admin, organisation=acme, as_admin=True)
    assert not can_invite_into(user=partner_admin, organisation=other, as_admin=False)
    assert not can_invite_into(user=partner_user, organisation=acme, as_admin=False)
    assert not can_invite_into(user=employee, organisation=acme, as_admin=False)
    assert not can_invite_into(user=AnonymousUser(), organisation=acme, as_admin=False)


def test_a_partner_admin_sees_their_organisations_members_admins_first(
    partner_admin, partner_user, acme, reviewer
):
    alice = PartnerUserFactory(partner_organisation=acme, last_name="Aalto")
    zed = PartnerUserFactory(partner_organisation=acme, last_name="Zorn")
    PartnerUserFactory()  # another organisation
    partner_user.last_name = "Mills"
    partner_user.save()
    assert list(organisation_members(user=partner_admin)) == [
        partner_admin,
        alice,
        partner_user,
        zed,
    ]
    assert not organisation_members(user=partner_user).exists()
    assert not organisation_members(user=reviewer).exists()
    assert not organisation_members(user=AnonymousUser()).exists()


def test_invitations_are_seen_by_reviewers_and_the_organisations_partner_admin(
    reviewer, partner_admin, partner_user, acme, employee
):
    other = PartnerOrganisationFactory()
    ours, _ = invitation_create(actor=reviewer, organisation=acme, email="new@acme.example")
    theirs, _ = invitation_create(actor=reviewer, organisation=other, email="x@other.example")
    assert set(invitations_visible_to(user=reviewer)) == {ours, theirs}
    assert list(invitations_visible_to(user=partner_admin)) == [ours]
    assert not invitations_visible_to(user=partner_user).exists()
    assert not invitations_visible_to(user=employee).exists()
    assert not invitations_visible_to(user=AnonymousUser()).exists()


def test_organisations_are_seen_by_reviewers_finance_and_their_own_members(
    reviewer, finance, partner_user, acme, employee, customer
):
    other = PartnerOrganisationFactory()
    assert set(organisations_visible_to(user=reviewer)) == {acme, other}
    assert set(organisations_visible_to(user=finance)) == {acme, other}
    assert list(organisations_visible_to(user=partner_user)) == [acme]
    assert not organisations_visible_to(user=employee).exists()
    assert not organisations_visible_to(user=customer).exists()
    assert not organisations_visible_to(user=AnonymousUser()).exists()


def test_a_manager_manages_their_teams_only(manager, employee, reviewer):
    second = TeamFactory()
    second.managers.add(manager)
    TeamFactory()
    assert set(teams_managed_by(user=manager)) == {employee.team, second}
    # Listed as a team's manager without the manager role: manages nothing.
    employee.team.managers.add(reviewer)
    assert not teams_managed_by(user=reviewer).exists()
    assert not teams_managed_by(user=AnonymousUser()).exists()


# --- Where users land and what their menu holds ----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("reviewer", "dashboards:review"),
        ("finance", "dashboards:finance"),
        ("manager", "dashboards:team"),
        ("partner_admin", "dashboards:partner"),
        ("partner_user", "dashboards:partner"),
        ("employee", "dashboards:employee"),
        ("customer", "networks:customer_home"),
    ],
)
def test_each_role_lands_on_its_own_dashboard(request, persona, url_name):
    assert dashboard_url_for(user=request.getfixturevalue(persona)) == reverse(url_name)


def test_without_a_role_one_lands_on_the_home_page(outsider):
    assert dashboard_url_for(user=outsider) == "/"
    assert dashboard_url_for(user=AnonymousUser()) == "/"


def test_a_reviewer_who_also_does_finance_lands_on_the_review_dashboard(reviewer):
    give_role(reviewer, Role.FINANCE)
    assert dashboard_url_for(user=reviewer) == reverse("dashboards:review")


def test_a_partner_admin_lands_on_the_partner_dashboard_not_the_employees(partner_admin):
    assert dashboard_url_for(user=partner_admin) == reverse("dashboards:partner")


MENUS = {
    "employee": ["employee", "refer", "share", "rewards", "leads", "network", "boards"],
    "partner_user": [
        "partner",
        "refer",
        "share",
        "rewards",
        "leads",
        "network",
        "boards",
        "commissions",
    ],
    "partner_admin": [
        "partner",
        "refer",
        "share",
        "rewards",
        "leads",
        "network",
        "boards",
        "commissions",
        "organisation",
        "insight",
    ],
    "manager": [
        "employee",
        "refer",
        "share",
        "rewards",
        "leads",
        "network",
        "boards",
        "team",
        "insight",
        "admin",
    ],
    "reviewer": [
        "employee",
        "refer",
        "share",
        "rewards",
        "leads",
        "network",
        "boards",
        "review",
        "queue",
        "partners",
        "campaigns",
        "insight",
        "admin",
    ],
    "finance": [
        "employee",
        "refer",
        "share",
        "rewards",
        "leads",
        "network",
        "boards",
        "finance",
        "payouts",
        "admin",
    ],
    "customer": ["customer", "rewards", "boards"],
    "outsider": [],
}


@pytest.mark.parametrize("persona", sorted(MENUS))
def test_each_role_sees_its_menu_in_order(request, persona):
    assert [i.key for i in navigation_for(user=request.getfixturevalue(persona))] == MENUS[persona]


def test_menu_items_link_where_their_labels_say(reviewer, finance, partner_admin, manager):
    items = {
        i.key: (str(i.label), i.url)
        for u in (reviewer, finance, partner_admin, manager)
        for i in navigation_for(user=u)
    }
    assert items == {
        "employee": ("Dashboard", reverse("dashboards:employee")),
        "partner": ("Dashboard", reverse("dashboards:partner")),
        "refer": ("Refer", reverse("leads:new")),
        "share": ("My link", reverse("leads:share")),
        "rewards": ("Rewards", reverse("rewards:home")),
        "leads": ("Referrals", reverse("leads:list")),
        "network": ("Network", reverse("networks:outbound_list")),
        "boards": ("Boards", reverse("leaderboard:boards")),
        "commissions": ("Commissions", reverse("payouts:commissions")),
        "organisation": ("Organisation", reverse("dashboards:organisation")),
        "team": ("My teams", reverse("dashboards:team")),
        "review": ("Review", reverse("dashboards:review")),
        "queue": ("Lead queue", reverse("leads_admin:queue")),
        "partners": ("Partners", reverse("accounts:partner_list")),
        "campaigns": ("Campaigns", reverse("campaigns:list")),
        "insight": ("Insight", reverse("insight:home")),
        "finance": ("Finance", reverse("dashboards:finance")),
        "payouts": ("Payouts", reverse("payouts_admin:batches")),
        "admin": ("Admin", "/admin/"),
    }


def test_the_customers_menu_links_to_their_referrals(customer):
    assert [(str(i.label), i.url) for i in navigation_for(user=customer)] == [
        ("My referrals", reverse("networks:customer_home")),
        ("Rewards", reverse("rewards:catalog")),
        ("Boards", reverse("leaderboard:boards")),
    ]


def test_recovery_codes_alone_are_not_an_authenticator_app(settings):
    from allauth.mfa.models import Authenticator

    settings.MFA_REQUIRED_FOR_STAFF = True
    reviewer = give_role(UserFactory(), Role.REVIEWER)
    Authenticator.objects.create(
        user=reviewer, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"}
    )
    assert needs_mfa_setup(user=reviewer)


def test_members_of_the_same_surname_come_in_order_of_their_address(partner_admin, acme):
    later = PartnerUserFactory(partner_organisation=acme, last_name="Virta", email="b@acme.example")
    earlier = PartnerUserFactory(
        partner_organisation=acme, last_name="Virta", email="a@acme.example"
    )
    assert list(organisation_members(user=partner_admin))[1:] == [earlier, later]


def test_a_deactivated_partner_user_sees_no_organisation(partner_user):
    partner_user.is_active = False
    partner_user.save()
    assert not organisations_visible_to(user=User.objects.get(pk=partner_user.pk)).exists()


def test_invitations_come_with_their_organisation_and_inviter_in_one_query(
    reviewer, acme, django_assert_num_queries
):
    invitation_create(actor=reviewer, organisation=acme, email="new@acme.example")
    invitations_visible_to(user=reviewer)  # the viewer's roles, read once per request
    with django_assert_num_queries(1):
        shown = [
            (i.organisation.name, i.invited_by.email) for i in invitations_visible_to(user=reviewer)
        ]
    assert shown == [(acme.name, reviewer.email)]
