# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from portal.accounts.models import PartnerOrganisation, Team, User
from portal.accounts.selectors import roles_of
from portal.audit.models import AuditEvent

DEMO = {
    "employee@demo.vouch.test": {"employee"},
    "manager@demo.vouch.test": {"employee", "manager"},
    "reviewer@demo.vouch.test": {"employee", "reviewer"},
    "finance@demo.vouch.test": {"employee", "finance"},
    "finance2@demo.vouch.test": {"employee", "finance"},
    "partner-admin@acme.example": {"partner_user", "partner_admin"},
    "partner@acme.example": {"partner_user"},
}


def _snapshot():
    return {
        "users": sorted(
            User.objects.values_list(
                "email",
                "first_name",
                "partner_organisation__name",
                "team__name",
                "is_partner_admin",
            )
        ),
        "groups": sorted(
            Group.objects.filter(user__isnull=False).values_list("name", "user__email")
        ),
        "orgs": list(PartnerOrganisation.objects.values_list("name", "email_domain", "status")),
        "teams": sorted(Team.objects.values_list("name", "managers__email")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "audit": AuditEvent.objects.count(),
        "ledger": sorted(
            __import__(
                "portal.rewards.models", fromlist=["LedgerEntry"]
            ).LedgerEntry.objects.values_list("participant__email", "amount")
        ),
    }


def test_seed_demo_twice_gives_the_same_data(db):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert set(DEMO) <= {email for email, *_ in first["users"]}


def test_every_demo_login_works_without_mfa_or_verification_and_has_its_role(client, db):
    call_command("seed_demo")
    for email, roles in DEMO.items():
        response = client.post(reverse("account_login"), {"login": email, "password": "vouch-demo"})
        assert response.status_code == 302, email
        assert "_auth_user_id" in client.session, email
        assert {r.value for r in roles_of(user=User.objects.get(email=email))} == roles
        client.logout()


def test_demo_employee_is_in_a_team_led_by_the_demo_manager(db):
    call_command("seed_demo")
    employee = User.objects.get(email="employee@demo.vouch.test")
    assert list(employee.team.managers.values_list("email", flat=True)) == [
        "manager@demo.vouch.test"
    ]


def test_demo_submission_points_are_dated_like_their_leads(db):
    """The demo's leads are backdated; the points for submitting them follow their dates
    (so on the 1st of a month they are not all in the new month)."""
    from portal.rewards.models import LedgerEntry

    call_command("seed_demo")
    entries = LedgerEntry.objects.filter(event="submitted").select_related("lead")
    assert entries.exists()
    assert all(entry.created_at == entry.lead.submitted_at for entry in entries)
    assert (
        entries.filter(lead__name="Ivan Petrov").get().created_at.date()
        < entries.filter(lead__name="Sofia Virtanen", participant__email="employee@demo.vouch.test")
        .get()
        .created_at.date()
    )
