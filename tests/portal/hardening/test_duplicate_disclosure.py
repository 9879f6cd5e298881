# SPDX-License-Identifier: AGPL-3.0-or-later
"""Duplicate disclosure: a referrer learns a prospect is already known, never when or by
whom outside their own organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from portal.leads import services as leads
from portal.leads.models import Lead
from tests.factories import PartnerUserFactory, submit_lead

PROSPECT = "dana@prospect.example"


def _today() -> str:
    return date_format(timezone.localdate(), "SHORT_DATE_FORMAT")


def _told(lead: Lead) -> str:
    lead.refresh_from_db()
    return " ".join([lead.status_note, *(f["message"] for f in lead.flags)])


@pytest.mark.parametrize("action", ["flag", "reject"])
def test_a_competing_partner_learns_only_that_the_prospect_is_known(
    client, partner_user, other_partner_admin, program, action
):
    program.rule_duplicate = action
    program.save()
    first = submit_lead(partner_user, program, email=PROSPECT)
    rival = PartnerUserFactory(partner_organisation=other_partner_admin.partner_organisation)
    second = submit_lead(rival, program, email=PROSPECT)
    assert second.conflict_with_id == first.pk  # reviewers still see the conflict
    told = _told(second)
    assert "already known to us" in told
    assert _today() not in told and f"#{first.pk}" not in told
    client.force_login(rival)
    page = client.get(reverse("leads:detail", args=[second.pk])).content.decode()
    assert "already known to us" in page
    assert f"#{first.pk}" not in page and partner_user.last_name not in page
    assert _today() not in page.split("<main")[-1].split("timeline")[0]


def test_a_partner_learns_nothing_about_the_companys_own_referral(
    client, employee, partner_user, program
):
    first = submit_lead(employee, program, email=PROSPECT)
    second = submit_lead(partner_user, program, email=PROSPECT)
    assert "already known to us" in _told(second)
    assert f"#{first.pk}" not in _told(second) and _today() not in _told(second)


def test_a_colleague_in_the_same_organisation_is_told_when(partner_user, program):
    submit_lead(partner_user, program, email=PROSPECT)
    colleague = PartnerUserFactory(partner_organisation=partner_user.partner_organisation)
    second = submit_lead(colleague, program, email=PROSPECT)
    assert f"already referred on {_today()}" in _told(second)


def test_a_reviewers_decision_does_not_name_the_other_organisations_lead(
    client, employee, partner_user, reviewer, program
):
    first = submit_lead(employee, program, email=PROSPECT)
    second = submit_lead(partner_user, program, email=PROSPECT)
    leads.lead_conflict_resolve(actor=reviewer, keep=first, reject=second)
    second.refresh_from_db()
    assert second.status == "rejected"
    assert f"#{first.pk}" not in second.status_note and "already known" in second.status_note
    client.force_login(partner_user)
    page = client.get(reverse("leads:detail", args=[second.pk])).content.decode()
    assert f"lead #{first.pk}" not in page


def test_inside_one_organisation_the_decision_names_the_kept_lead(employee, reviewer, program):
    first = submit_lead(employee, program, email=PROSPECT)
    second = submit_lead(employee, program, email=PROSPECT)
    leads.lead_conflict_resolve(actor=reviewer, keep=first, reject=second)
    second.refresh_from_db()
    assert f"#{first.pk}" in second.status_note
