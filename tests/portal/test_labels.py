# SPDX-License-Identifier: AGPL-3.0-or-later
"""Labels people understand: statuses and audit lines in words, one period after a date."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal.leads.services import lead_start_review
from tests.factories import UserFactory, submit_lead


def test_a_sentence_ending_in_a_date_has_one_period():
    template = Template(
        "{% load i18n vouch %}{% filter one_period %}Ended {{ when }}.{% endfilter %} Wait..."
    )
    assert template.render(Context({"when": "Nov. 30, 2026, 11:58 a.m."})) == (
        "Ended Nov. 30, 2026, 11:58 a.m. Wait..."
    )
    with translation.override("ru"):
        rendered = template.render(Context({"when": "30 ноября 2026 г."}))
    assert rendered.startswith("Ended 30 ноября 2026 г. ")


def test_the_reviewers_timeline_says_what_happened_in_words(client, reviewer, program):
    lead = submit_lead(UserFactory(), program)
    lead_start_review(lead=lead, actor=reviewer)
    client.force_login(reviewer)

    html = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()

    assert "Review started" in html and "Submitted → In review" in html
    assert "<strong>lead." not in html and "→ in_review" not in html


def test_partners_see_commission_statuses_in_words(client, partner_admin, reviewer, program):
    from decimal import Decimal

    from portal.leads.services import lead_qualify
    from portal.payouts.models import CommissionPlan, ProgramCommissionSettings

    plan = CommissionPlan.objects.create(
        name="Flat", kind="flat", flat_amount=Decimal("100.00"), hold_days=30
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    lead_qualify(lead=submit_lead(partner_admin, program, company="Buyer Oy"), actor=reviewer)
    client.force_login(partner_admin)

    html = client.get(reverse("payouts:commissions")).content.decode()

    assert "Pending · EUR" in html and "Pending (EUR)" not in html
    assert "Buyer Oy" in html  # the deal's company, not only "#13"
