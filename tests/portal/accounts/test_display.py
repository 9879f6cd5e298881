# SPDX-License-Identifier: AGPL-3.0-or-later
"""How a person appears to a viewer (portal.accounts.display): partners and TV screens see
employees by initials; staff see chosen names; a person always sees their own name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.display import (
    Audience,
    audience_of,
    display_record,
    employees_hidden_from,
    name_from_record,
    person_name,
    person_name_for,
    split_record,
)
from tests.factories import PartnerUserFactory, UserFactory


@pytest.fixture
def ann(db):
    return UserFactory(first_name="Ann", last_name="Lee")


@pytest.fixture
def pat(db):
    return PartnerUserFactory(first_name="Pat", last_name="Ray")


def test_audiences(ann, pat):
    assert audience_of(viewer=None) is Audience.PARTNER
    assert audience_of(viewer=AnonymousUser()) is Audience.PARTNER
    assert audience_of(viewer=pat) is Audience.PARTNER
    assert audience_of(viewer=ann) is Audience.STAFF


def test_display_records_carry_name_initials_and_kind(ann, pat):
    assert display_record(person=ann) == "Ann Lee\tA.L.\tE"
    assert display_record(person=pat) == "Pat Ray\tP.R.\tP"
    ann.show_initials_only = True
    assert display_record(person=ann) == "A.L.\tA.L.\tE"


def test_partners_see_employees_by_initials_unless_the_company_shares_names(settings):
    settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES = False
    assert employees_hidden_from(audience=Audience.PARTNER) is True
    assert employees_hidden_from(audience=Audience.STAFF) is False
    employee, partner = "Ann Lee\tA.L.\tE", "Pat Ray\tP.R.\tP"
    assert name_from_record(record=employee, audience=Audience.PARTNER) == "A.L."
    assert name_from_record(record=employee, audience=Audience.STAFF) == "Ann Lee"
    assert name_from_record(record=partner, audience=Audience.PARTNER) == "Pat Ray"
    assert name_from_record(record=partner, audience=Audience.STAFF) == "Pat Ray"
    settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES = True
    assert employees_hidden_from(audience=Audience.PARTNER) is False
    assert name_from_record(record=employee, audience=Audience.PARTNER) == "Ann Lee"


@pytest.mark.parametrize("record", ["", "Ann Lee", "Ann Lee\tA.L.", "a\tb\tE\tx"])
def test_a_malformed_record_hides_the_name(record):
    assert split_record(record=record) == ("?", "?", "E")
    assert name_from_record(record=record, audience=Audience.STAFF) == "?"
    assert name_from_record(record=record, audience=Audience.PARTNER) == "?"


def test_a_well_formed_record_splits_into_its_three_parts():
    assert split_record(record="Pat Ray\tP.R.\tP") == ("Pat Ray", "P.R.", "P")


def test_person_name_for_each_viewer(ann, pat, settings):
    settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES = False
    colleague = UserFactory()
    assert person_name(person=ann, audience=Audience.PARTNER) == "A.L."
    assert person_name(person=ann, audience=Audience.STAFF) == "Ann Lee"
    assert person_name_for(person=ann, viewer=pat) == "A.L."
    assert person_name_for(person=ann, viewer=None) == "A.L."
    assert person_name_for(person=ann, viewer=colleague) == "Ann Lee"
    assert person_name_for(person=pat, viewer=None) == "Pat Ray"
    ann.show_initials_only = True
    assert person_name_for(person=ann, viewer=colleague) == "A.L."
    assert person_name_for(person=ann, viewer=ann) == "Ann Lee"  # their own, always


def test_a_viewer_that_is_not_a_user_is_the_partner_audience(ann, settings):
    """A TV screen or any other object in the viewer's place: never staff."""
    settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES = False

    class Screen:
        partner_organisation_id = None

    assert audience_of(viewer=Screen()) is Audience.PARTNER
    assert person_name_for(person=ann, viewer=Screen()) == "A.L."


def test_a_customer_who_refers_sees_employees_by_initials_as_partners_do(ann, pat):
    customer = UserFactory(email="carla@buyer.example", is_customer=True)
    assert audience_of(viewer=customer) is Audience.PARTNER
    assert person_name_for(person=ann, viewer=customer) == "A.L."
    assert person_name_for(person=pat, viewer=customer) == "Pat Ray"
