# SPDX-License-Identifier: AGPL-3.0-or-later
"""What each participant reads about rewards, at the edges where a wrong figure shows:
the catalog per program, who sees which redemptions, the points of the tier period, tier
progress, milestones and badge counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.leads import services as leads
from portal.rewards.models import (
    Badge,
    BadgeAward,
    LedgerEntry,
    Milestone,
    PointRule,
    Raffle,
    Redemption,
    RewardCode,
    RewardItem,
    Tier,
    TierStatus,
)
from portal.rewards.selectors import (
    badge_board,
    badge_criterion_count,
    catalog_for,
    catalog_programs,
    catalog_with_eligibility,
    earned_points,
    lead_beneficiaries,
    ledger_sum,
    milestone_progress,
    participant_summary,
    participant_tier_ids,
    points_for,
    raffles_visible_to,
    redemptions_visible_to,
    reward_codes_of,
    reward_eligible,
    tier_for_points,
    tier_progress,
    vouchers_to_issue,
)
from portal.rewards.services import ledger_add
from tests.factories import ProgramFactory, UserFactory, submit_lead


def _item(name, **kw):
    return RewardItem.objects.create(
        name=name, kind=kw.pop("kind", "swag"), points_price=kw.pop("price", 10), **kw
    )


# --- The catalog ----------------------------------------------------------------------------------


def test_the_catalog_of_a_program_is_its_own_items_and_the_shared_ones(employee):
    sales, support = ProgramFactory(name="Sales"), ProgramFactory(name="Support")
    shared = _item("Shared")
    both = _item("Both")
    both.programs.add(sales, support)
    only_support = _item("Support only")
    only_support.programs.add(support)
    _item("Retired", is_active=False)
    assert set(catalog_for(user=employee)) == {shared, both, only_support}
    assert list(catalog_for(user=employee, program=sales).order_by("name")) == [both, shared]
    assert catalog_for(user=employee, program=support).count() == 3  # each item once


def test_the_program_filter_lists_enabled_programs_with_their_own_active_items(employee):
    b, a = ProgramFactory(name="B"), ProgramFactory(name="A")
    disabled = ProgramFactory(name="C", is_enabled=False)
    retired = ProgramFactory(name="D")
    for program in (a, b, disabled):
        for name in ("one", "two"):
            _item(f"{program.name} {name}").programs.add(program)
    _item("Old", is_active=False).programs.add(retired)
    assert list(catalog_programs(user=employee)) == [a, b]


# --- Who reads which redemptions and codes ----------------------------------------------------------


def test_finance_lists_fulfilled_vouchers_and_gift_cards_newest_first(finance, employee):
    ledger_add(participant=employee, amount=100, event="adjustment", reason="t")
    voucher, card, mug = _item("V", kind="voucher"), _item("G", kind="gift_card"), _item("M")
    old = Redemption.objects.create(
        participant=employee, item=voucher, points=1, status="fulfilled"
    )
    new = Redemption.objects.create(participant=employee, item=card, points=1, status="fulfilled")
    # Newest by the last change, not by creation: the older redemption was fulfilled last.
    Redemption.objects.filter(pk=new.pk).update(updated_at=timezone.now() - timedelta(days=1))
    Redemption.objects.create(participant=employee, item=voucher, points=1, status="approved")
    Redemption.objects.create(participant=employee, item=mug, points=1, status="fulfilled")
    assert list(vouchers_to_issue(user=finance)) == [old, new]
    assert list(vouchers_to_issue(user=employee)) == []


def test_a_participant_reads_only_their_own_redemptions_and_codes(employee, partner_user, reviewer):
    item = _item("M")
    mine = Redemption.objects.create(participant=employee, item=item, points=1)
    theirs = Redemption.objects.create(participant=partner_user, item=item, points=1)
    assert list(redemptions_visible_to(user=employee)) == [mine]
    assert set(redemptions_visible_to(user=reviewer)) == {mine, theirs}
    code = RewardCode.objects.create(
        redemption=mine,
        participant=employee,
        code="C1",
        kind="store_credit",
        value_kind="amount",
        value=Decimal("1"),
        expires_at=timezone.now(),
    )
    RewardCode.objects.create(
        redemption=theirs,
        participant=partner_user,
        code="C2",
        kind="store_credit",
        value_kind="amount",
        value=Decimal("1"),
        expires_at=timezone.now(),
    )
    assert list(reward_codes_of(participant=employee)) == [code]


def test_raffles_show_once_started(employee):
    now = timezone.now()
    started = Raffle.objects.create(
        name="A", prize="p", starts_at=now - timedelta(seconds=1), ends_at=now + timedelta(days=1)
    )
    Raffle.objects.create(
        name="B", prize="p", starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(days=1)
    )
    assert list(raffles_visible_to(user=AnonymousUser())) == [started]


# --- Points ---------------------------------------------------------------------------------------


def test_the_ledger_sum_of_nobody_is_zero(employee):
    assert ledger_sum(participant=employee) == 0
    ledger_add(participant=employee, amount=3, event="adjustment", reason="t")
    ledger_add(participant=employee, amount=-1, event="adjustment", reason="t")
    assert ledger_sum(participant=employee) == 2


def test_a_programs_rules_replace_every_default(program):
    other = ProgramFactory()
    PointRule.objects.create(program=other, event="submitted", points=99)
    assert points_for(program=program, event="won") == {"referrer": 200}
    PointRule.objects.create(program=program, event="qualified", points=5)
    assert points_for(program=program, event="qualified") == {"referrer": 5}
    assert points_for(program=program, event="won") == {}  # rules, none for this event


def test_the_referred_participant_must_be_active_and_someone_else(employee, program):
    program.two_sided = True
    program.save()
    lead = submit_lead(employee, program, email="friend@friendco.example")
    assert lead_beneficiaries(lead=lead, beneficiary="referrer") == [employee]
    assert lead_beneficiaries(lead=lead, beneficiary="referred") == []
    friend = UserFactory(email="Friend@friendco.example", is_active=False)
    assert lead_beneficiaries(lead=lead, beneficiary="referred") == []
    friend.is_active = True
    friend.save()
    assert lead_beneficiaries(lead=lead, beneficiary="referred") == [friend]
    lead.email_normalised = ""
    assert lead_beneficiaries(lead=lead, beneficiary="referred") == []
    own = submit_lead(employee, program, email=employee.email)  # a self-referral
    assert lead_beneficiaries(lead=own, beneficiary="referred") == []


def test_the_tier_period_is_the_last_365_days_up_to_now(employee, program):
    now = timezone.now()

    def earn(points, when, event="adjustment", where=program):
        entry = ledger_add(
            participant=employee, amount=points, event=event, reason="t", program=where
        )
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=when)

    earn(1, now)
    earn(2, now - timedelta(days=365) + timedelta(seconds=1))
    earn(4, now - timedelta(days=365))  # just outside
    earn(8, now + timedelta(seconds=1))  # after
    earn(16, now, event="redemption.refund")
    earn(32, now, where=ProgramFactory())
    assert earned_points(participant=employee, program=program, at=now) == 3


def test_a_tier_is_reached_at_its_threshold(program):
    low = Tier.objects.create(program=program, name="Low", threshold=0)
    high = Tier.objects.create(program=program, name="High", threshold=100)
    Tier.objects.create(program=ProgramFactory(), name="Elsewhere", threshold=50)
    assert (
        tier_for_points(program=program, points=99),
        tier_for_points(program=program, points=100),
    ) == (low, high)


@pytest.mark.parametrize(
    ("points", "tier", "following", "to_next", "percent"),
    [(0, None, "Bronze", 50, 0), (75, "Bronze", "Silver", 75, 25), (150, "Silver", None, 0, 100)],
)
def test_tier_progress_counts_from_the_current_floor(
    employee, program, points, tier, following, to_next, percent
):
    Tier.objects.create(program=program, name="Bronze", threshold=50)
    Tier.objects.create(program=program, name="Silver", threshold=150)
    if points:
        ledger_add(
            participant=employee, amount=points, event="adjustment", reason="t", program=program
        )
    progress = tier_progress(participant=employee, program=program)
    assert (
        progress["points"],
        progress["tier"] and progress["tier"].name,
        progress["next"] and progress["next"].name,
        progress["to_next"],
        progress["percent"],
        [t.name for t in progress["tiers"]],
        progress["program"],
    ) == (points, tier, following, to_next, percent, ["Bronze", "Silver"], program)


# --- Badges, tiers held, milestones ----------------------------------------------------------------


def test_each_badge_criterion_counts_its_own_referrals(employee, reviewer, program):
    submitted, qualified, won, rejected = (submit_lead(employee, program) for _ in range(4))
    leads.lead_qualify(lead=qualified, actor=reviewer)
    leads.lead_qualify(lead=won, actor=reviewer)
    leads.lead_mark_won(lead=won, actor=reviewer, deal_value="10", currency="EUR")
    leads.lead_reject(lead=rejected, actor=reviewer, reason="invalid")
    count = {
        c: badge_criterion_count(participant=employee, criterion=c)
        for c in ("submitted", "qualified", "won", "streak_weeks", "top_of_month")
    }
    assert count == {"submitted": 3, "qualified": 2, "won": 1, "streak_weeks": 1, "top_of_month": 0}


def test_tiers_held_make_a_tier_only_item_eligible(employee, program):
    gold = Tier.objects.create(program=program, name="Gold", threshold=0)
    silver = Tier.objects.create(program=program, name="Silver", threshold=1)
    item, free = _item("Gold mug"), _item("Mug")
    item.eligible_tiers.add(gold)
    TierStatus.objects.update_or_create(
        participant=employee, program=program, defaults={"tier": silver}
    )
    other = ProgramFactory()
    TierStatus.objects.create(participant=employee, program=other, tier=None)
    assert participant_tier_ids(participant=employee) == {silver.pk}
    assert (
        reward_eligible(item=item, participant=employee),
        reward_eligible(item=free, participant=employee),
    ) == (
        False,
        True,
    )
    ledger_add(participant=employee, amount=25, event="adjustment", reason="t")
    marked = catalog_with_eligibility(
        participant=employee, items=[item, _item("Dear", price=40), free]
    )
    assert [(i.eligible, i.affordable, i.points_needed) for i in marked] == [
        (False, True, 0),
        (True, False, 15),
        (True, True, 0),
    ]
    TierStatus.objects.filter(participant=employee, program=program).update(tier=gold)
    assert reward_eligible(item=item, participant=employee)
    [marked] = catalog_with_eligibility(participant=employee, items=[item])
    assert marked.eligible
    [exact] = catalog_with_eligibility(participant=employee, items=[_item("Exact", price=25)])
    assert (exact.affordable, exact.points_needed) == (True, 0)


def test_milestone_progress_points_at_the_next_one(employee, reviewer, program):
    gift = _item("Gift")
    Milestone.objects.create(program=program, qualified_count=4, reward=gift)
    Milestone.objects.create(program=program, qualified_count=2, reward=gift)
    assert milestone_progress(participant=employee, program=program)["percent"] == 0
    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="10", currency="EUR")
    progress = milestone_progress(participant=employee, program=program)
    assert (progress["qualified"], progress["milestone"].qualified_count, progress["percent"]) == (
        1,
        2,
        50,
    )
    for _ in range(3):
        leads.lead_qualify(lead=submit_lead(employee, program), actor=reviewer)
    assert milestone_progress(participant=employee, program=program) is None


def test_the_badge_board_and_the_summary(employee, program):
    badge = Badge.objects.create(slug="b", name="B", description="", criterion="won", threshold=5)
    award = BadgeAward.objects.create(badge=badge, participant=employee)
    board = {row["badge"].slug: row["award"] for row in badge_board(participant=employee)}
    assert board["b"] == award and board["first-win"] is None
    Tier.objects.create(program=program, name="T", threshold=1000)
    Milestone.objects.create(program=program, qualified_count=3, reward=_item("G"))
    for _ in range(9):
        ledger_add(participant=employee, amount=1, event="adjustment", reason="t", program=program)
    summary = participant_summary(participant=employee)
    assert summary["balance"] == 9
    assert [(t["program"], t["points"]) for t in summary["tiers"]] == [(program, 9)]
    assert [m["milestone"].qualified_count for m in summary["milestones"]] == [3]
    assert len(summary["recent"]) == 8
    assert len(summary["badges"]) == Badge.objects.count()


def test_the_lists_read_their_related_rows_in_one_query(
    finance, reviewer, employee, partner_user, django_assert_num_queries
):
    """Finance's voucher list, the redemption lists and a participant's codes name the
    item and the person on every row: one query, however many rows."""
    voucher = _item("V", kind="voucher")
    for person in (employee, partner_user, employee):
        redemption = Redemption.objects.create(
            participant=person, item=voucher, points=1, status="fulfilled"
        )
        RewardCode.objects.create(
            redemption=redemption,
            participant=person,
            code=f"C{redemption.pk}",
            kind="store_credit",
            value_kind="amount",
            value=Decimal("1"),
            expires_at=timezone.now(),
        )
    vouchers = vouchers_to_issue(user=finance)  # the role is read here, once
    redemptions = redemptions_visible_to(user=reviewer)
    with django_assert_num_queries(1):
        rows = [
            (r.item.name, r.participant.email, r.participant.partner_organisation) for r in vouchers
        ]
    assert len(rows) == 3
    with django_assert_num_queries(1):
        assert len([(r.item.name, r.participant.email) for r in redemptions]) == 3
    with django_assert_num_queries(1):
        assert [c.redemption.item.name for c in reward_codes_of(participant=employee)] == ["V", "V"]
