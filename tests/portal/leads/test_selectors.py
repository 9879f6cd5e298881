# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which programs take whose referrals, who reads a lead's contact data, the referrer's
own figures and what a referral link's landing shows (portal.leads.selectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.accounts.services import organisation_set_status
from portal.leads.models import Program
from portal.leads.referrals import referral_link_for
from portal.leads.selectors import (
    brand_palette,
    lead_counts_for,
    lead_pii_visible,
    leads_visible_to,
    program_audience_includes,
    program_open_to,
    programs_open_to,
    referral_landing,
    referral_link_by_code,
)
from portal.leads.services import lead_mark_won, lead_qualify, lead_reject, lead_start_review
from tests.factories import (
    PartnerAdminFactory,
    PartnerUserFactory,
    ProgramFactory,
    UserFactory,
    submit_lead,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return UserFactory(email="carla@buyer.example", is_customer=True)


# --- Which programs take whose referrals ---------------------------------------------------


def test_a_programs_audience_admits_employees_partners_or_both(employee, partner_user, customer):
    for_employees = ProgramFactory(audience="employees")
    for_partners = ProgramFactory(audience="partners")
    for_both = ProgramFactory(audience="both")
    assert program_audience_includes(program=for_employees, user=employee)
    assert not program_audience_includes(program=for_employees, user=partner_user)
    assert program_audience_includes(program=for_partners, user=partner_user)
    assert not program_audience_includes(program=for_partners, user=employee)
    assert program_audience_includes(program=for_both, user=employee)
    assert program_audience_includes(program=for_both, user=partner_user)
    # Customers refer only to programs open to all.
    assert program_audience_includes(program=for_both, user=customer)
    assert not program_audience_includes(program=for_employees, user=customer)
    assert not program_audience_includes(program=for_partners, user=customer)


def test_programs_open_today_to_each_kind_of_referrer(employee, partner_user, customer):
    today = timezone.localdate()
    for_employees = ProgramFactory(audience="employees")
    for_partners = ProgramFactory(audience="partners")
    for_both = ProgramFactory(audience="both", starts_on=today, ends_on=today)
    ProgramFactory(audience="both", is_enabled=False)
    ProgramFactory(audience="both", starts_on=today + timedelta(days=1))
    ProgramFactory(audience="both", ends_on=today - timedelta(days=1))
    assert set(programs_open_to(user=employee)) == {for_employees, for_both}
    assert set(programs_open_to(user=partner_user)) == {for_partners, for_both}
    assert set(programs_open_to(user=customer)) == {for_both}


def test_one_posted_program_is_open_exactly_when_the_list_offers_it(
    employee, partner_user, customer, reviewer
):
    """The form checks a posted program on its own row (program_open_to); it must agree
    with the choices (programs_open_to) for every kind of program and referrer."""
    today = timezone.localdate()
    programs = [
        ProgramFactory(audience="employees"),
        ProgramFactory(audience="partners"),
        ProgramFactory(audience="both", starts_on=today, ends_on=today),
        ProgramFactory(audience="both", is_enabled=False),
        ProgramFactory(audience="both", starts_on=today + timedelta(days=1)),
        ProgramFactory(audience="both", ends_on=today - timedelta(days=1)),
    ]
    organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    partner_user.refresh_from_db()
    for user in (employee, partner_user, customer, reviewer):
        offered = set(programs_open_to(user=user))
        for program in programs:
            found = program_open_to(user=user, pk=str(program.pk))
            assert (found == program) == (program in offered), (user, program)
            assert found is None or found.name == program.name
    assert program_open_to(user=employee, pk="not a number") is None
    assert program_open_to(user=employee, pk="") is None


def test_a_suspended_partner_and_a_user_without_a_role_are_offered_no_program(
    reviewer, partner_user, outsider
):
    ProgramFactory(audience="both")
    organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    partner_user.refresh_from_db()
    assert not programs_open_to(user=partner_user).exists()
    assert not programs_open_to(user=outsider).exists()


# --- Who sees a lead and its contact data ---------------------------------------------------


def test_contact_data_is_for_the_submitter_their_partner_admin_and_reviewers(
    partner_user, partner_admin, acme, reviewer, manager, employee, program
):
    partner_lead = submit_lead(partner_user, program)
    team_lead = submit_lead(employee, program)
    colleague = PartnerUserFactory(partner_organisation=acme)
    assert lead_pii_visible(user=partner_user, lead=partner_lead)
    assert lead_pii_visible(user=partner_admin, lead=partner_lead)
    assert lead_pii_visible(user=reviewer, lead=partner_lead)
    assert not lead_pii_visible(user=colleague, lead=partner_lead)
    assert not lead_pii_visible(user=PartnerAdminFactory(), lead=partner_lead)
    assert not lead_pii_visible(user=AnonymousUser(), lead=partner_lead)
    # A manager sees the team's leads, never their contact data; a partner admin has no
    # claim on an employee's lead.
    assert team_lead in leads_visible_to(user=manager)
    assert not lead_pii_visible(user=manager, lead=team_lead)
    assert not lead_pii_visible(user=partner_admin, lead=team_lead)
    assert lead_pii_visible(user=employee, lead=team_lead)


def test_leads_visible_to_each_role(
    partner_user, partner_admin, acme, reviewer, manager, employee, program, outsider
):
    partner_lead = submit_lead(partner_user, program)
    team_lead = submit_lead(employee, program)
    other = submit_lead(PartnerUserFactory(), program)
    assert set(leads_visible_to(user=reviewer)) == {partner_lead, team_lead, other}
    assert set(leads_visible_to(user=partner_admin)) == {partner_lead}
    assert set(leads_visible_to(user=partner_user)) == {partner_lead}
    assert set(leads_visible_to(user=PartnerUserFactory(partner_organisation=acme))) == set()
    assert set(leads_visible_to(user=manager)) == {team_lead}
    assert set(leads_visible_to(user=employee)) == {team_lead}
    assert not leads_visible_to(user=outsider).exists()
    assert not leads_visible_to(user=AnonymousUser()).exists()


# --- The referrer's own figures ---------------------------------------------------------------


def test_the_referrers_figures_count_total_open_qualified_and_won(employee, reviewer, program):
    submit_lead(employee, program)  # submitted: open
    lead_start_review(lead=submit_lead(employee, program), actor=reviewer)  # open
    qualified = submit_lead(employee, program)
    lead_qualify(lead=lead_start_review(lead=qualified, actor=reviewer), actor=reviewer)
    won = submit_lead(employee, program)
    won = lead_qualify(lead=lead_start_review(lead=won, actor=reviewer), actor=reviewer)
    lead_mark_won(lead=won, actor=reviewer, deal_value="1000", currency="EUR")
    rejected = lead_start_review(lead=submit_lead(employee, program), actor=reviewer)
    lead_reject(lead=rejected, actor=reviewer, reason="invalid")
    submit_lead(UserFactory(), program)  # someone else's
    assert lead_counts_for(user=employee) == {"total": 5, "open": 3, "qualified": 2, "won": 1}


# --- A referral link and its landing --------------------------------------------------------


def test_a_link_opens_only_while_it_and_its_owner_may_refer(employee, reviewer, partner_user):
    link = referral_link_for(user=employee)
    assert referral_link_by_code(code=link.code) == link
    assert referral_link_by_code(code="no-such-code") is None
    employee.is_active = False
    employee.save()
    assert referral_link_by_code(code=link.code) is None
    partner_link = referral_link_for(user=partner_user)
    assert referral_link_by_code(code=partner_link.code) == partner_link
    organisation_set_status(
        actor=reviewer, organisation=partner_user.partner_organisation, status="suspended"
    )
    assert referral_link_by_code(code=partner_link.code) is None
    other = referral_link_for(user=UserFactory())
    other.is_active = False
    other.save()
    assert referral_link_by_code(code=other.code) is None


def test_the_landing_greets_with_the_referrers_name_and_the_default_pitch(settings, db):
    settings.SITE_URL = "https://vouch.example"
    referrer = UserFactory(first_name="Rita", last_name="Referrer")
    program = ProgramFactory(audience="both", brand_colour="")
    landing = referral_landing(link=referral_link_for(user=referrer))
    assert landing["program"] == program
    assert list(landing["programs"]) == [program]
    assert landing["referrer_name"] == "Rita Referrer"
    assert landing["headline"] == "Rita Referrer thinks we should talk"
    assert landing["pitch"] == (
        "Tell us a little about yourself and what you need. Someone from our team will get "
        "in touch — no obligation."
    )
    assert landing["url"].startswith("https://vouch.example/")
    assert landing["url"].endswith(referral_link_for(user=referrer).code + "/")
    assert landing["logo"] is None
    assert landing["branded"] is False


def test_the_landing_uses_the_programs_own_headline_pitch_and_brand(db):
    referrer = UserFactory(first_name="Sam", last_name="Shy", show_initials_only=True)
    program = ProgramFactory(
        audience="both",
        landing_headline="Meet our team",
        pitch="We build bridges.",
        description="Unused",
        brand_colour="#336699",
    )
    landing = referral_landing(link=referral_link_for(user=referrer))
    assert landing["referrer_name"] == "S.S."
    assert (landing["headline"], landing["pitch"], landing["branded"]) == (
        "Meet our team",
        "We build bridges.",
        True,
    )
    Program.objects.filter(pk=program.pk).update(pitch="", landing_headline="")
    landing = referral_landing(link=referral_link_for(user=referrer))
    assert landing["pitch"] == "Unused"
    assert landing["headline"] == "S.S. thinks we should talk"


def test_no_landing_when_no_program_is_open_to_the_referrer(employee):
    ProgramFactory(audience="partners")
    assert referral_landing(link=referral_link_for(user=employee)) is None


# --- A brand colour's palette -------------------------------------------------------------


@pytest.mark.parametrize(
    ("colour", "dark", "ink"),
    [
        ("#0B5CAB", "#094b8c", "#ffffff"),
        ("#ffd400", "#d1ad00", "#16141f"),  # white on yellow: unreadable
        # The two greys either side of the WCAG crossing (white 4.61:1 vs black 4.56:1 on
        # #757575, white 4.54:1 vs black 4.62:1 on #767676), and greens whose near-black
        # channels lie in the formula's linear segment and decide the answer.
        ("#757575", "#5f5f5f", "#ffffff"),
        ("#767676", "#606060", "#16141f"),
        ("#00890a", "#007008", "#16141f"),
        ("#018901", "#007000", "#ffffff"),  # red and blue in the linear segment
    ],
)
def test_a_brand_colour_brings_a_darker_hover_shade_and_the_more_readable_ink(colour, dark, ink):
    assert brand_palette(colour=colour) == {"brand": colour.lower(), "brand_dark": dark, "ink": ink}
