# SPDX-License-Identifier: AGPL-3.0-or-later
"""Personal goals: a participant's target of referrals or qualified referrals per month
or quarter (site time zone), set by themselves or by their team's manager; progress for
the dashboard; a notice, once per goal and period, when the target is reached.

Referrals count the leads submitted in the period (rejected and withdrawn ones do not
count); qualified referrals count the leads qualified in the period (the qualification's
audit record) that are still qualified or won."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Team, User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.dates import local_midnight, next_month
from portal.leads.models import Lead, LeadStatus
from portal.notifications.services import notify

from .models import GoalMetric, GoalPeriod, GoalReached, PersonalGoal

PARTICIPANTS = (Role.EMPLOYEE, Role.PARTNER_USER)


def period_window(*, period: str, day: date) -> tuple[datetime, datetime, str]:
    """The period containing ``day``: its start, its end (exclusive) and its key
    ("2026-11", "2026-Q4"). Pure."""
    if period == GoalPeriod.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        end = start
        for _i in range(3):
            end = next_month(end)
        key = f"{day.year}-Q{(first_month - 1) // 3 + 1}"
    else:
        start = date(day.year, day.month, 1)
        end = next_month(start)
        key = f"{day.year}-{day.month:02d}"
    return local_midnight(start), local_midnight(end), key


def goal_count(*, participant: User, metric: str, start: datetime, end: datetime) -> int:
    """The participant's figure for a goal's metric in [start, end). Read only."""
    leads = Lead.objects.filter(referrer=participant)
    if metric == GoalMetric.QUALIFIED:
        still = leads.filter(status__in=[LeadStatus.QUALIFIED, LeadStatus.WON]).values_list(
            "pk", flat=True
        )
        return (
            AuditEvent.objects.filter(
                action="lead.qualify",
                target_type=ContentType.objects.get_for_model(Lead),
                target_id__in=[str(pk) for pk in still],
                created_at__gte=start,
                created_at__lt=end,
            )
            .values("target_id")
            .distinct()
            .count()
        )
    return (
        leads.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status__in=[LeadStatus.REJECTED, LeadStatus.WITHDRAWN])
        .count()
    )


def goals_progress(*, participant: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each of the participant's goals with this period's count, percent and whether it
    is reached. Read only."""
    now = now or timezone.now()
    rows = []
    for goal in PersonalGoal.objects.filter(participant=participant).select_related("set_by"):
        start, end, key = period_window(period=goal.period, day=timezone.localdate(now))
        count = goal_count(participant=participant, metric=goal.metric, start=start, end=end)
        rows.append(
            {
                "goal": goal,
                "count": count,
                "percent": min(100, int(100 * count / goal.target)),
                "reached": count >= goal.target,
                "period_key": key,
                "ends": end,
            }
        )
    return rows


def goal_may_set(*, actor: User, participant: User) -> bool:
    """Participants set their own goals; a manager sets them for their teams' members.
    Read only."""
    if actor.pk == participant.pk:
        return has_role(user=actor, roles=PARTICIPANTS)
    return (
        has_role(user=actor, roles=(Role.MANAGER,))
        and participant.team_id is not None
        and Team.objects.filter(pk=participant.team_id, managers=actor).exists()
    )


def goal_set(
    *, actor: User, participant: User, metric: str, period: str, target: int
) -> PersonalGoal:
    """Set (or change) a participant's goal for a metric and period. Checks that the
    actor is the participant or their team's manager, and the values; audits it. Locks
    nothing (one goal per metric and period: a unique constraint); publishes nothing."""
    if not goal_may_set(actor=actor, participant=participant):
        raise PermissionDenied(_("You can set goals for yourself and your team's members only."))
    if metric not in GoalMetric.values or period not in GoalPeriod.values:
        raise ValidationError(_("Choose what to count and over which period."))
    if not 1 <= target <= 10000:
        raise ValidationError({"target": [_("Enter a target between 1 and 10,000.")]})
    with transaction.atomic():
        goal, _created = PersonalGoal.objects.update_or_create(
            participant=participant,
            metric=metric,
            period=period,
            defaults={"target": target, "set_by": actor},
        )
        audit_record(
            actor=actor,
            action="goal.set",
            target=goal,
            to_state=str(target),
            data={"participant": participant.pk, "metric": metric, "period": period},
        )
    goals_check(participant=participant)
    return goal


def goal_delete(*, actor: User, goal: PersonalGoal) -> None:
    """Remove a goal (the participant or their manager). Audits it; publishes nothing."""
    if not goal_may_set(actor=actor, participant=goal.participant):
        raise PermissionDenied(_("You can set goals for yourself and your team's members only."))
    audit_record(actor=actor, action="goal.deleted", target=goal, from_state=str(goal.target))
    goal.delete()


def goals_check(*, participant: User, at: datetime | None = None) -> list[GoalReached]:
    """Record each goal the participant has reached in the current period and notify
    them, once per goal and period (a unique constraint). Locks nothing; publishes
    nothing."""
    return goals_check_many(checks=[(participant, at)])


def goals_check_many(*, checks: Sequence[tuple[User, datetime | None]]) -> list[GoalReached]:
    """``goals_check`` for each (participant, time) in turn, with the same results: one
    query for all the participants' goals, and each goal's count once per period. Locks
    nothing; publishes nothing."""
    if not checks:
        return []
    goals: dict[int, list[PersonalGoal]] = defaultdict(list)
    for goal in PersonalGoal.objects.filter(
        participant_id__in={participant.pk for participant, _at in checks}
    ).select_related("set_by"):
        goals[goal.participant_id].append(goal)
    now = timezone.now()
    counts: dict[tuple[int, str, datetime, datetime], int] = {}
    tried: set[tuple[int, str]] = set()  # recorded here, or already before
    reached = []
    for participant, at in checks:
        day = timezone.localdate(at or now)
        for goal in goals.get(participant.pk, ()):
            start, end, key = period_window(period=goal.period, day=day)
            if (goal.pk, key) in tried:
                continue  # one at a time, the unique constraint would refuse it again
            counted = (participant.pk, goal.metric, start, end)
            if counted not in counts:
                counts[counted] = goal_count(
                    participant=participant, metric=goal.metric, start=start, end=end
                )
            if counts[counted] < goal.target:
                continue
            tried.add((goal.pk, key))
            try:
                with transaction.atomic():
                    record = GoalReached.objects.create(goal=goal, period_key=key)
            except IntegrityError:
                continue  # noticed already this period
            notify(
                user=participant,
                kind="goal_reached",
                context={"goal": goal, "count": counts[counted], "period_key": key},
                url=reverse("rewards:goals"),
            )
            reached.append(record)
    return reached


def team_goal_members(*, manager: User) -> list[User]:
    """The members of the teams ``manager`` leads (for setting their goals). Read only."""
    if not has_role(user=manager, roles=(Role.MANAGER,)):
        return []
    return list(
        User.objects.filter(team__managers=manager, is_active=True)
        .exclude(pk=manager.pk)
        .order_by("first_name", "last_name", "email")
    )
