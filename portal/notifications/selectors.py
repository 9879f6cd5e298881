# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of notifications: a person's inbox, grouped by kind, and their preferences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.accounts.models import User

from .kinds import KINDS, Channel, Group, Kind, kind_of, kinds_offered_to
from .models import Notification, NotificationPreference


def notifications_for(*, user: User, group: str | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first (only one group's kinds if given)."""
    qs = Notification.objects.filter(user=user)
    if group:
        qs = qs.filter(kind__in=[k.code for k in KINDS.values() if k.group == group])
    return qs


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass
class InboxGroup:
    """One group of the inbox: its newest items and its counts."""

    group: Group
    icon: str
    total: int = 0
    unread: int = 0
    latest: list[Notification] = field(default_factory=list)


def inbox_groups(*, user: Any, per_group: int = 5) -> list[InboxGroup]:
    """The user's inbox grouped by kind (Referrals, Rewards, Money, ...): per group its
    newest ``per_group`` notifications and its total and unread counts. Kinds not in the
    registry count as news. Three queries whatever the number of groups."""
    by_kind = (
        Notification.objects.filter(user=user)
        .values("kind")
        .annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    )
    groups: dict[str, InboxGroup] = {}
    for row in by_kind:
        kind = kind_of(row["kind"])
        entry = groups.setdefault(kind.group, InboxGroup(group=kind.group, icon=kind.icon))
        entry.total += row["total"]
        entry.unread += row["unread"]
    if not groups:
        return []
    recent = Notification.objects.filter(user=user).order_by("-created_at", "-pk")[
        : per_group * 4 * len(groups)
    ]
    for n in recent:
        entry = groups[kind_of(n.kind).group]
        if len(entry.latest) < per_group:
            entry.latest.append(n)
    order = list(Group)
    return sorted(groups.values(), key=lambda g: order.index(g.group))


def notification_channel(*, user: Any, kind: str) -> Channel:
    """How ``kind`` reaches ``user``: their choice, or the kind's default. A required kind
    is never off."""
    return notification_channels(wanted=[(user, kind)])[user.pk, kind]


def notification_channels(*, wanted: Sequence[tuple[Any, str]]) -> dict[tuple[int, str], Channel]:
    """``notification_channel`` for many (user, kind) pairs, keyed by (user id, kind):
    their preferences read in one query (none when ``wanted`` is empty)."""
    if not wanted:
        return {}
    rows = NotificationPreference.objects.filter(
        user__in={user.pk for user, _kind in wanted}, kind__in={kind for _user, kind in wanted}
    ).values_list("user_id", "kind", "channel")
    chosen = {(user_id, kind): channel for user_id, kind, channel in rows}
    found = {}
    for user, kind in wanted:
        spec = kind_of(kind)
        picked = chosen.get((user.pk, kind))
        channel = Channel(picked) if picked else spec.default_for(user)
        found[user.pk, kind] = (
            Channel.PORTAL if channel == Channel.OFF and spec.required else channel
        )
    return found


def notification_preferences(*, user: Any) -> list[tuple[Kind, Channel]]:
    """Each kind offered to ``user`` with the channel it uses for them now."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return [
        (k, Channel(chosen[k.code]) if k.code in chosen else k.default_for(user))
        for k in kinds_offered_to(user)
    ]
