# SPDX-License-Identifier: AGPL-3.0-or-later
"""What follows a lead's events — points, tiers, badges, commissions, boards, webhooks,
notifications — happens once per event, whatever is retried, and adds up to what a rebuild
from scratch gives, for any sequence of lead events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from portal.audit.models import AuditEvent
from portal.events import services as events
from portal.events.models import Event
from portal.events.registry import handlers_for
from portal.leads import services as leads
from portal.leads.models import Lead
from portal.notifications.models import Notification
from portal.payouts.batches import (
    payout_batch_approve,
    payout_batch_build,
    payout_batch_mark_paid,
    payout_batch_start,
)
from portal.payouts.models import Commission, CommissionPlan, ProgramCommissionSettings
from portal.rewards.models import BadgeAward, LedgerEntry, PointsAccount, Tier, TierChange
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import PartnerUserFactory, ProgramFactory, UserFactory, submit_lead


def _plans(program):
    flat = CommissionPlan.objects.create(
        name=f"Flat {program.pk}", kind="flat", flat_amount=Decimal("100.00"), hold_days=0
    )
    ProgramCommissionSettings.objects.create(
        program=program, partner_plan=flat, employee_bonus=Decimal("25.00")
    )
    Tier.objects.create(program=program, name="Silver", threshold=50)


def _state():
    boards = None
    if settings.REDIS_URL:
        from leaderboard import store
        from leaderboard.selectors import all_boards

        redis = store.client()
        boards = {
            b.id: redis.zrevrange(store.redis_key(b), 0, -1, withscores=True) for b in all_boards()
        }
    return {
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        "balances": dict(PointsAccount.objects.values_list("participant", "balance")),
        "commissions": list(
            Commission.objects.order_by("pk").values_list("pk", "amount", "status")
        ),
        "tiers": TierChange.objects.count(),
        "badges": BadgeAward.objects.count(),
        "notifications": Notification.objects.count(),
        "deliveries": WebhookDelivery.objects.count(),
        "audit": AuditEvent.objects.count(),
        "boards": boards,
    }


def test_every_handler_run_twice_changes_nothing(db, reviewer):
    program = ProgramFactory()
    _plans(program)
    WebhookEndpoint.objects.create(
        name="CRM",
        url="http://127.0.0.1:9/hook",
        secret="whsec_test",
        events=["lead.created", "lead.status_changed", "tier.changed", "commission.approved"],
    )
    partner, employee = PartnerUserFactory(), UserFactory()
    a, b = submit_lead(partner, program), submit_lead(employee, program)
    for lead in (a, b):
        leads.lead_qualify(lead=lead, actor=reviewer)
        leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="900", currency="EUR")
    leads.lead_reverse_deal(lead=a, actor=reviewer, reason="Refund")
    assert not Event.objects.filter(handled_at__isnull=True).exists()
    before = _state()
    assert before["ledger"] and before["commissions"] and before["deliveries"]

    # 1. Every event dispatched again (a retried task, a second worker): the claims hold.
    Event.objects.update(handled_at=None, lease_until=None)
    assert events.events_drain() == Event.objects.count()
    assert _state() == before

    # 2. Handlers resting on unique constraints hold even without their claims.
    constrained = {
        "portal.rewards.handlers.award_submission",
        "portal.rewards.handlers.apply_status",
        "portal.rewards.handlers.reverse_win",
        "portal.payouts.handlers.apply_status",
        "portal.payouts.handlers.reverse_deal",
        "leaderboard.handlers.move_boards",
    }
    for event in Event.objects.order_by("pk"):
        for handler in handlers_for(event.name):
            if handler.key in constrained:
                with transaction.atomic():
                    handler.func([event] if handler.batch else event)
    after = _state()
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }


ACTIONS = ["start_review", "qualify", "reject", "win", "lose", "withdraw", "reverse"]
STEPS = st.lists(
    st.one_of(
        st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS)),
        st.just(("drain", None)),
        st.just(("pay", None)),
    ),
    min_size=1,
    max_size=14,
)


def _act(lead, action, reviewer):
    kwargs = {
        "reject": {"reason": "invalid"},
        "win": {"deal_value": "1000", "currency": "EUR"},
        "lose": {"reason": "Budget"},
        "reverse": {"reason": "Refund"},
    }.get(action, {})
    service = {
        "start_review": leads.lead_start_review,
        "qualify": leads.lead_qualify,
        "reject": leads.lead_reject,
        "win": leads.lead_mark_won,
        "lose": leads.lead_mark_lost,
        "withdraw": leads.lead_withdraw,
        "reverse": leads.lead_reverse_deal,
    }[action]
    actor = lead.referrer if action == "withdraw" else reviewer
    try:
        service(lead=lead, actor=actor, **kwargs)
    except leads.IllegalTransition:
        return False
    return True


def _pay(finance, second):
    Commission.objects.filter(status="pending").update(
        status="approved", approved_at=timezone.now()
    )
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    if batch.status == "built":
        payout_batch_approve(actor=second, batch=batch)
        payout_batch_mark_paid(actor=second, batch=batch)


def _expected(lead: Lead, reached: set[str]) -> tuple[int, Decimal]:
    """The points and the money a lead has earned, from its history alone."""
    if lead.status in {"rejected", "withdrawn"}:
        return 0, Decimal("0.00")
    reversed_ = lead.deal_reversed_at is not None
    points = 10 + (50 if "qualified" in reached else 0)
    points += 200 if lead.status == "won" and not reversed_ else 0
    if lead.organisation_id:
        money = Decimal("100.00") if "qualified" in reached and not reversed_ else Decimal("0")
    else:
        money = Decimal("25.00") if lead.status == "won" and not reversed_ else Decimal("0")
    return points, money


@pytest.mark.django_db
@hsettings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_of_lead_events_adds_up_to_a_rebuild(
    steps, reviewer, finance, monkeypatch, settings
):
    second = UserFactory()
    from portal.accounts.roles import Role
    from tests.factories import enable_mfa, give_role

    enable_mfa(give_role(second, Role.FINANCE))
    if settings.REDIS_URL:
        from leaderboard.services import boards_rebuild

        boards_rebuild()  # the examples before this one share the database
    # Handlers wait in the outbox until the sequence drains them: late handling must give
    # the same result as immediate handling.
    monkeypatch.setattr(events, "_kick", lambda event_id: None)
    program = ProgramFactory()
    _plans(program)
    org_user = PartnerUserFactory()
    people = [org_user, PartnerUserFactory(partner_organisation=org_user.partner_organisation)]
    people.append(UserFactory())
    lead_list = [submit_lead(p, program) for p in people]
    reached: dict[int, set[str]] = {lead.pk: set() for lead in lead_list}
    for target, action in steps:
        if target == "drain":
            events.events_drain()
        elif target == "pay":
            events.events_drain()
            _pay(finance, second)
        else:
            lead = Lead.objects.get(pk=lead_list[target].pk)
            if _act(lead, action, reviewer) and action == "qualify":
                reached[lead.pk].add("qualified")
    events.events_drain()
    assert not Event.objects.filter(handled_at__isnull=True).exists()

    for lead in Lead.objects.filter(pk__in=reached):
        points, money = _expected(lead, reached[lead.pk])
        ledger = LedgerEntry.objects.filter(lead=lead).aggregate(s=Sum("amount"))["s"] or 0
        net = Commission.objects.filter(lead=lead).exclude(status="cancelled").aggregate(
            s=Sum("amount")
        )["s"] or Decimal("0")
        assert (ledger, net) == (points, money), (lead.status, reached[lead.pk])
    for account in PointsAccount.objects.all():
        assert account.balance == (
            LedgerEntry.objects.filter(participant=account.participant_id).aggregate(
                s=Sum("amount")
            )["s"]
            or 0
        )
    if settings.REDIS_URL:
        from leaderboard.services import boards_rebuild

        live = _state()["boards"]
        boards_rebuild()
        assert _state()["boards"] == live
