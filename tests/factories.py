# SPDX-License-Identifier: AGPL-3.0-or-later
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
    # migrate (post_migrate) and a flush's post_migrate already made the groups with their
    # permissions; (re)applying them all costs about 60 queries per persona.
    group = Group.objects.filter(name=STAFF_GROUPS[role]).first()
    if group is None:
        ensure_role_groups()
        group = Group.objects.get(name=STAFF_GROUPS[role])
    user.groups.add(group)
    user.__dict__.pop("_vouch_roles", None)
    return user


def enable_mfa(user: User) -> User:
    TOTP.activate(user, generate_totp_secret())
    return user


# --- Leads --------------------------------------------------------------------------


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "leads.Program"

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    audience = "both"
    starts_on = factory.LazyFunction(
        lambda: __import__("datetime").date.today() - __import__("datetime").timedelta(days=30)
    )


_lead_counter = iter(range(1, 10**9))


def submit_lead(referrer, program, **data):
    """Submit a lead the way users do: through the lead service."""
    from portal.leads.services import lead_submit

    n = next(_lead_counter)
    payload = {
        "name": f"Prospect {n}",
        "email": f"prospect{n}@company{n}.example",
        "company": f"Company {n}",
        "consent": True,
    }
    payload.update(data)
    source = payload.pop("source", "form")
    return lead_submit(referrer=referrer, program=program, data=payload, source=source)


# --- Referral networks --------------------------------------------------------------


class ReciprocalTermsFactory(factory.django.DjangoModelFactory):
    """A partner's reciprocal quotas, in force from 2000 on unless told otherwise."""

    class Meta:
        model = "networks.ReciprocalTerms"

    organisation = factory.SubFactory(PartnerOrganisationFactory)
    agreement_version = factory.Sequence(lambda n: n + 1)
    valid_from = factory.LazyFunction(lambda: __import__("datetime").date(2000, 1, 1))
    period = "quarter"
    quota_sent = 5
    quota_received = 5


_outbound_counter = iter(range(1, 10**9))


def send_outbound(sender, organisation, program, **data):
    """Send a lead to a reciprocal partner the way employees do: through the service."""
    from portal.networks.services import outbound_send

    n = next(_outbound_counter)
    payload = {
        "name": f"Outbound prospect {n}",
        "email": f"outbound{n}@prospect{n}.example",
        "company": f"Prospect {n} Oy",
        "consent": True,
    }
    payload.update(data)
    return outbound_send(sender=sender, organisation=organisation, program=program, data=payload)
