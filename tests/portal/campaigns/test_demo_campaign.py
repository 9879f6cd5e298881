# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo shows a running campaign with asks in both variants and referrals."""

from __future__ import annotations

from django.core.management import call_command

from portal.campaigns.models import Campaign
from portal.campaigns.selectors import campaign_report


def test_the_demo_has_a_running_campaign_with_asks(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    campaign = Campaign.objects.get(active=True)
    rows = campaign_report(campaign=campaign)
    assert sum(row.asks for row in rows) == campaign.sends.count() >= 3
    assert sum(row.referrals for row in rows) >= 1
