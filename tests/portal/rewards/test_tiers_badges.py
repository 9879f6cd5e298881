# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.leads import services as leads
from portal.leads.models import Lead
from portal.notifications.models import Notification
from portal.rewards.models import Badge, BadgeAward, LedgerEntry, Tier, TierChange, TierStatus
from portal.rewards.selectors import referral_streak_weeks, tier_progress
from portal.rewards.services import (
    badges_award_top_of_month,
    badges_evaluate,
    ledger_add,
    tier_recompute,
)
from tests.factories import UserFactory, submit_lead


@pytest.fixture
def ladder(program):
    return [
        Tier.objects.create(program=program, name="Bronze", threshold=0),
        Tier.objects.create(
            program=program, name="Silver", threshold=100, commission_multiplier="1.10"
        ),
        Tier.objects.create(
            program=program, name="Gold", threshold=300, commission_multiplier="1.25"
        ),
    ]


def _earn(user, program, amount, days_ago=0):
    entry = ledger_add(
        participant=user, amount=amount, event="adjustment", reason="test", program=program
    )
    LedgerEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_promotion_at_the_threshold_is_logged_and_announced(employee, program, ladder):
    _earn(employee, program, 99)
    assert tier_recompute(participant=employee, program=program, reason="test").name == "Bronze"
    _earn(employee, program, 1)
    assert (
        tier_recompute(participant=employee, program=program, reason="reached 100").name == "Silver"
    )
    change = TierChange.objects.filter(participant=employee).first()
    assert (change.from_tier.name, change.to_tier.name, change.points, change.reason) == (
        "Bronze",
        "Silver",
        100,
        "reached 100",
    )
    assert Notification.objects.filter(
        user=employee, kind="tier_up", title__contains="Silver"
    ).exists()


def test_demotion_when_points_leave_the_rolling_period(employee, program, ladder):
    _earn(employee, program, 350, days_ago=300)
    assert tier_recompute(participant=employee, program=program, reason="t").name == "Gold"
    LedgerEntry.objects.filter(participant=employee).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert (
        tier_recompute(participant=employee, program=program, reason="Rolling period").name
        == "Bronze"
    )
    change = TierChange.objects.filter(participant=employee).first()
    assert (change.from_tier.name, change.to_tier.name, change.reason) == (
        "Gold",
        "Bronze",
        "Rolling period",
    )
    assert TierStatus.objects.get(participant=employee).tier.name == "Bronze"
    # a demotion is logged but not celebrated
    assert not Notification.objects.filter(
        user=employee, kind="tier_up", title__contains="Bronze"
    ).exists()


def test_spending_points_does_not_cost_a_tier(employee, program, ladder):
    from portal.rewards.models import RewardItem
    from portal.rewards.redemptions import redemption_request

    _earn(employee, program, 150)
    tier_recompute(participant=employee, program=program, reason="t")
    redemption_request(
        participant=employee,
        item=RewardItem.objects.create(name="Hoodie", kind="swag", points_price=120),
    )
    assert tier_recompute(participant=employee, program=program, reason="t").name == "Silver"


def test_progress_toward_the_next_tier(employee, program, ladder):
    _earn(employee, program, 200)
    progress = tier_progress(participant=employee, program=program)
    assert (
        progress["tier"].name,
        progress["next"].name,
        progress["to_next"],
        progress["percent"],
    ) == ("Silver", "Gold", 100, 50)


def test_lead_events_move_tiers(employee, reviewer, program, ladder):
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="10", currency="EUR")
    assert TierStatus.objects.get(participant=employee, program=program).tier.name == "Silver"


# --- Badges ---------------------------------------------------------------------------


def test_first_referral_and_first_win_badges(employee, reviewer, program):
    lead = submit_lead(employee, program)
    assert BadgeAward.objects.filter(participant=employee, badge__slug="first-referral").exists()
    assert not BadgeAward.objects.filter(participant=employee, badge__slug="first-win").exists()
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="10", currency="EUR")
    assert BadgeAward.objects.filter(participant=employee, badge__slug="first-win").exists()


def test_badges_are_awarded_once(employee, program):
    submit_lead(employee, program)
    submit_lead(employee, program)
    badges_evaluate(participant=employee)
    assert (
        BadgeAward.objects.filter(participant=employee, badge__slug="first-referral").count() == 1
    )


def test_admin_defined_badge_works_without_code(employee, program):
    Badge.objects.create(
        slug="three-referrals",
        name="Three",
        description="Refer 3",
        criterion="submitted",
        threshold=3,
    )
    for _ in range(3):
        submit_lead(employee, program)
    assert BadgeAward.objects.filter(participant=employee, badge__slug="three-referrals").exists()


def _lead_at(user, program, when):
    lead = submit_lead(user, program)
    Lead.objects.filter(pk=lead.pk).update(submitted_at=when)


def test_streak_counts_consecutive_monday_weeks(employee, program):
    helsinki = ZoneInfo("Europe/Helsinki")
    today = date(2026, 11, 26)  # a Thursday
    # Sunday 23:30 in Helsinki is still last week, although it is Sunday 21:30 UTC too:
    for day in (date(2026, 11, 8), date(2026, 11, 15), date(2026, 11, 22)):
        _lead_at(employee, program, datetime(day.year, day.month, day.day, 23, 30, tzinfo=helsinki))
    _lead_at(employee, program, datetime(2026, 11, 24, 9, 0, tzinfo=helsinki))
    assert referral_streak_weeks(participant=employee, today=today) == 4


def test_streak_breaks_on_an_empty_week(employee, program):
    helsinki = ZoneInfo("Europe/Helsinki")
    _lead_at(employee, program, datetime(2026, 11, 2, 10, tzinfo=helsinki))
    _lead_at(employee, program, datetime(2026, 11, 16, 10, tzinfo=helsinki))
    _lead_at(employee, program, datetime(2026, 11, 24, 10, tzinfo=helsinki))
    assert referral_streak_weeks(participant=employee, today=date(2026, 11, 26)) == 2


def test_monday_just_after_midnight_in_the_site_zone_starts_a_new_week(employee, program):
    helsinki = ZoneInfo("Europe/Helsinki")
    # 00:15 Monday in Helsinki is 22:15 Sunday UTC: it belongs to the new week here.
    _lead_at(employee, program, datetime(2026, 11, 23, 0, 15, tzinfo=helsinki))
    _lead_at(employee, program, datetime(2026, 11, 22, 12, 0, tzinfo=helsinki))
    assert referral_streak_weeks(participant=employee, today=date(2026, 11, 23)) == 2


def test_top_of_month_badge_goes_to_the_top_three(program):
    users = [UserFactory() for _ in range(4)]
    october = timezone.make_aware(datetime(2026, 10, 15, 12))
    for points, user in zip([50, 40, 30, 20], users, strict=True):
        entry = ledger_add(
            participant=user, amount=points, event="adjustment", reason="t", program=program
        )
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=october)
    assert badges_award_top_of_month(year=2026, month=10) == 3
    winners = set(
        BadgeAward.objects.filter(badge__slug="top-three-month").values_list(
            "participant", flat=True
        )
    )
    assert winners == {u.pk for u in users[:3]}
    assert badges_award_top_of_month(year=2026, month=10) == 0  # idempotent
