# SPDX-License-Identifier: AGPL-3.0-or-later
"""Partner health and referrer profiles, at their thresholds (settings)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.insight.models import FunnelDaily, LeadDaily, ReferrerMonth
from portal.insight.selectors import InsightScope, partner_health, profile_of
from portal.insight.services import partner_health_digest_send
from portal.notifications.models import Notification
from tests.factories import PartnerOrganisationFactory, PartnerUserFactory, ProgramFactory

ON = date(2026, 6, 30)


@pytest.fixture
def thresholds(settings):
    settings.INSIGHT_QUIET_DAYS = 30
    settings.INSIGHT_HEALTH_PERIOD_DAYS = 30
    settings.INSIGHT_DROP_PERCENT = 50
    settings.INSIGHT_CONNECTOR_MIN_LEADS = 10
    settings.INSIGHT_MAVEN_MAX_LEADS = 9
    settings.INSIGHT_MAVEN_MIN_WON_PERCENT = 50
    settings.INSIGHT_SALESPERSON_MIN_AVERAGE_DEAL = Decimal("10000.00")
    return settings


def _org_with(days_ago_counts: dict[int, int]):
    user = PartnerUserFactory(partner_organisation=PartnerOrganisationFactory())
    program = ProgramFactory()
    for days_ago, n in days_ago_counts.items():
        FunnelDaily.objects.create(
            day=ON - timedelta(days=days_ago),
            program=program,
            organisation=user.partner_organisation,
            source="form",
            submitted=n,
        )
    return user.partner_organisation


def _flagged(org) -> dict | None:
    for h in partner_health(scope=InsightScope(everything=True), on=ON):
        if h.organisation == org:
            return {"quiet": h.quiet, "dropped": h.dropped, "days": h.quiet_days}
    return None


@pytest.mark.django_db
def test_quiet_at_exactly_the_threshold_and_not_a_day_before(thresholds):
    quiet = _org_with({30: 4, 45: 4})  # last lead 30 days ago
    lively = _org_with({29: 4, 45: 4})  # 29 days ago, count steady (4 vs 4)
    never = PartnerOrganisationFactory()
    assert _flagged(quiet) == {"quiet": True, "dropped": True, "days": 30}
    assert _flagged(lively) is None
    assert _flagged(never) == {"quiet": True, "dropped": False, "days": None}


@pytest.mark.django_db
def test_a_drop_of_exactly_half_is_flagged_and_less_is_not(thresholds):
    halved = _org_with({1: 5, 40: 10})
    almost = _org_with({1: 6, 40: 10})
    assert _flagged(halved) == {"quiet": False, "dropped": True, "days": 1}
    assert _flagged(almost) is None
    thresholds.INSIGHT_DROP_PERCENT = 40
    assert _flagged(almost)["dropped"] is True


@pytest.mark.django_db
def test_partner_admins_see_only_their_own_organisations_health(thresholds):
    mine = _org_with({60: 3})
    other = _org_with({60: 3})
    scoped = partner_health(scope=InsightScope(organisation_id=mine.pk), on=ON)
    assert [h.organisation for h in scoped] == [mine]
    assert other not in [h.organisation for h in scoped]
    assert partner_health(scope=InsightScope(team_ids=(1,)), on=ON) == []


@pytest.mark.django_db
def test_reviewers_get_one_digest_line_naming_partners_that_need_attention(thresholds, reviewer):
    quiet = _org_with({40: 2})
    _org_with({2: 3, 35: 3})
    assert partner_health_digest_send(on=ON) == 1
    notice = Notification.objects.get(user=reviewer, kind="partner_health")
    assert quiet.name in notice.body
    assert notice.body.count(",") == 0  # only the quiet one


@pytest.mark.parametrize(
    ("leads", "won", "average", "kind"),
    [
        (3, 1, Decimal("10000.00"), "salesperson"),
        (3, 1, Decimal("9999.99"), ""),
        (9, 5, None, "maven"),  # 55.6 % of 9
        (8, 4, None, "maven"),  # exactly 50 %
        (8, 3, None, ""),
        (10, 9, None, "connector"),  # too many leads to be a maven
        (10, 0, None, "connector"),
        (9, 0, None, ""),
        (0, 0, None, ""),
    ],
)
def test_profile_thresholds(thresholds, leads, won, average, kind):
    assert profile_of(leads=leads, won=won, average_deal=average) == kind


@pytest.mark.django_db
def test_the_digest_is_a_reviewers_kind_they_may_switch_off():
    from portal.accounts.roles import Role
    from portal.notifications.kinds import Group, kind_of

    kind = kind_of("partner_health")
    assert kind.group == Group.ADMIN and not kind.required
    assert kind.roles == frozenset({Role.REVIEWER})


def _referrer_with(*, leads: int, won: int, day: date, program) -> int:
    user = PartnerUserFactory(partner_organisation=PartnerOrganisationFactory())
    LeadDaily.objects.create(
        day=day,
        program=program,
        referrer=user,
        organisation=user.partner_organisation,
        source="form",
        submitted=leads,
        won=won,
    )
    ReferrerMonth.objects.create(  # what the handlers keep beside the day row
        month=day.replace(day=1),
        referrer=user,
        organisation=user.partner_organisation,
        submitted=leads,
        won=won,
    )
    return user


@pytest.mark.django_db
def test_a_contest_can_admit_one_referrer_profile_as_it_stood_before_the_start(thresholds):
    """A maven (2 leads, both won, the day before the start) takes part; a connector (10
    leads) and a maven whose leads came one day after the start do not; the form asks for
    the profile when the rule is chosen."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from leaderboard import store
    from leaderboard.models import Contest, Eligibility
    from leaderboard.selectors import contest_eligible
    from portal.core.dates import local_midnight
    from portal.rewards.models import LedgerEntry

    program = ProgramFactory()
    start = local_midnight(timezone.localdate() - timedelta(days=3))
    day_before = start.date() - timedelta(days=1)
    maven = _referrer_with(leads=2, won=2, day=day_before, program=program)
    connector = _referrer_with(leads=10, won=1, day=day_before, program=program)
    late = _referrer_with(leads=2, won=2, day=start.date(), program=program)
    contest = Contest.objects.create(
        name="Mavens' month",
        eligibility=Eligibility.PROFILE,
        profile="maven",
        starts_at=start,
        ends_at=start + timedelta(days=30),
        prizes="A dinner",
    )
    assert contest_eligible(contest=contest, participant=maven)
    assert not contest_eligible(contest=contest, participant=connector)
    assert not contest_eligible(contest=contest, participant=late)
    for user in (maven, connector, late):
        LedgerEntry.objects.create(
            participant=user, amount=5, event="qualified", created_at=start + timedelta(hours=1)
        )
    entries = LedgerEntry.objects.filter(store.eligibility_filter(contest))
    assert set(entries.values_list("participant_id", flat=True)) == {maven.pk}
    contest.profile = ""
    with pytest.raises(ValidationError) as refused:
        contest.full_clean()
    assert "profile" in refused.value.message_dict


def test_profile_explanation_uses_the_readers_decimal_mark_and_grouping():
    """ "1 234 liidiä, 14,3 % voitettu" in Finnish, "1,234 leads, 14.3 % won" in English:
    the explanation's figures read like every other figure on the page."""
    from django.utils import translation

    from portal.insight.selectors import ReferrerProfile
    from portal.insight.tables import profile_explanation

    profile = ReferrerProfile(
        referrer_id=1, referrer=None, leads=1234, won=176, average_deal=None, currency="", kind=""
    )
    with translation.override("en"):
        assert profile_explanation(profile) == "1,234 leads, 14.3 % won"
    with translation.override("fi"):
        text = profile_explanation(profile)
    assert "14,3 %" in text
    assert "1\xa0234" in text or "1 234" in text
