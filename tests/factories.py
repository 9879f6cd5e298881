"""factory_boy factories. Staff roles are group memberships, set up the way seed_demo
and the admin do it."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from portal.accounts.models import PartnerOrganisation, Team, User
from portal.accounts.roles import STAFF_GROUPS, Role, ensure_role_groups

PASSWORD = "correct-horse-battery-staple"


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    email_domain = factory.Sequence(lambda n: f"partner{n}.example")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """An employee with a verified company address."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@demo.vouch.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class PartnerUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"partner-user{n}@partners.example")
    partner_organisation = factory.SubFactory(PartnerOrganisationFactory)


class PartnerAdminFactory(PartnerUserFactory):
    email = factory.Sequence(lambda n: f"partner-admin{n}@partners.example")
    is_partner_admin = True


def give_role(user: User, role: Role) -> User:
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=STAFF_GROUPS[role]))
    user.__dict__.pop("_vouch_roles", None)
    return user


def enable_mfa(user: User) -> User:
    TOTP.activate(user, generate_totp_secret())
    return user
