"""Demo data for the embedded default. Idempotent: run it as often as you like."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.models import PartnerOrganisation, Team, User
from portal.accounts.roles import STAFF_GROUPS, Role, ensure_role_groups

DEMO_PASSWORD = "vouch-demo"  # noqa: S105 - documented demo credential

# email, first name, last name, role
DEMO_USERS = [
    ("employee@demo.vouch.test", "Emma", "Employee", Role.EMPLOYEE),
    ("manager@demo.vouch.test", "Mikko", "Manager", Role.MANAGER),
    ("reviewer@demo.vouch.test", "Rita", "Reviewer", Role.REVIEWER),
    ("finance@demo.vouch.test", "Fabio", "Finance", Role.FINANCE),
    ("partner-admin@acme.example", "Paula", "Admin", Role.PARTNER_ADMIN),
    ("partner@acme.example", "Pete", "Partner", Role.PARTNER_USER),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation, team and logins. Password: vouch-demo."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        ensure_role_groups()
        acme, _ = PartnerOrganisation.objects.update_or_create(
            name="Acme Partners", defaults={"email_domain": "acme.example", "status": "active"}
        )
        team, _ = Team.objects.get_or_create(name="Sales North")
        for email, first, last, role in DEMO_USERS:
            is_partner = role in {Role.PARTNER_ADMIN, Role.PARTNER_USER}
            user, created = User.objects.get_or_create(email=email)
            user.first_name, user.last_name = first, last
            user.is_active = True
            user.partner_organisation = acme if is_partner else None
            user.is_partner_admin = role == Role.PARTNER_ADMIN
            user.team = None if is_partner or role != Role.EMPLOYEE else team
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if role in STAFF_GROUPS:
                user.groups.set([Group.objects.get(name=STAFF_GROUPS[role])])
            else:
                user.groups.clear()
            # Demo logins skip the e-mail verification step.
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if role == Role.MANAGER:
                team.managers.set([user])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(DEMO_USERS)} logins, password '{DEMO_PASSWORD}'."
            )
        )
