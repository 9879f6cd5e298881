# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who may refer to a program today, and the reason given when not (the form shows it
beside the program; the API returns it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.leads.selectors import leads_visible_to, program_check_open_to
from tests.factories import PartnerOrganisationFactory, ProgramFactory, UserFactory, submit_lead


def test_an_open_program_lets_the_employee_refer(db, employee, program):
    assert program_check_open_to(program=program, user=employee) is None


def test_a_closed_program_says_it_is_not_accepting_referrals(db, employee):
    ended = ProgramFactory(
        name="Autumn",
        starts_on=date.today() - timedelta(days=60),
        ends_on=date.today() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        program_check_open_to(program=ended, user=employee)
    assert refused.value.message_dict == {"program": ["Autumn is not accepting referrals."]}


def test_a_program_for_partners_says_it_is_not_open_to_an_employee(db, employee):
    partners_only = ProgramFactory(name="Resellers", audience="partners")
    with pytest.raises(ValidationError) as refused:
        program_check_open_to(program=partners_only, user=employee)
    assert refused.value.message_dict == {"program": ["Resellers is not open to you."]}


def test_someone_who_may_not_submit_is_told_why(db, outsider, program):
    with pytest.raises(PermissionDenied) as refused:
        program_check_open_to(program=program, user=outsider)
    assert str(refused.value) == "Only employees and partners submit leads."


def test_a_partner_admin_who_moved_organisation_still_sees_the_leads_they_submitted(
    program, partner_admin
):
    """Everyone sees their own leads; a partner admin sees their organisation's besides."""
    own = submit_lead(partner_admin, program)
    partner_admin.partner_organisation = PartnerOrganisationFactory()
    partner_admin.save(update_fields=["partner_organisation"])
    assert own.organisation_id != partner_admin.partner_organisation_id
    assert own in leads_visible_to(user=partner_admin)
    colleague_lead = submit_lead(UserFactory(), program)
    assert colleague_lead not in leads_visible_to(user=partner_admin)
