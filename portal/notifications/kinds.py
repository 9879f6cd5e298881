# SPDX-License-Identifier: AGPL-3.0-or-later
"""The kinds of notification: how each is grouped, drawn and delivered by default.

Every ``notify(kind=...)`` names one of these. A person chooses per kind whether it reaches
them in the portal and by e-mail, in the portal only, or not at all (``Channel``); a kind
marked ``required`` cannot be switched off (the partner agreement, for example).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.roles import Role
from portal.accounts.selectors import roles_of


class Channel(models.TextChoices):
    EMAIL = "email", _("In the portal and by e-mail")
    PORTAL = "portal", _("In the portal only")
    OFF = "off", pgettext_lazy("notification channel", "Off")


class Group(models.TextChoices):
    REFERRALS = "referrals", _("Referrals")
    REWARDS = "rewards", _("Rewards")
    MONEY = "money", _("Money")
    BOARDS = "boards", pgettext_lazy("notification group", "Leaderboards")
    NEWS = "news", _("News")
    ADMIN = "admin", _("Administration")


GROUP_ICONS: dict[str, str] = {
    Group.REFERRALS: "inbox",
    Group.REWARDS: "gift",
    Group.MONEY: "coins",
    Group.BOARDS: "trophy",
    Group.NEWS: "mail",
    Group.ADMIN: "shield",
}

PARTICIPANTS = frozenset({Role.EMPLOYEE, Role.PARTNER_USER, Role.PARTNER_ADMIN})
PARTNERS = frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})
REVIEWERS = frozenset({Role.REVIEWER})
BACK_OFFICE = frozenset({Role.REVIEWER, Role.FINANCE})


def _participants_by_email(user: object) -> Channel:
    """The weekly digest: by e-mail to people who refer, off for reviewers and finance
    (who run the program rather than take part) and for anyone else."""
    roles = roles_of(user=user)  # type: ignore[arg-type]  # a User; object keeps kinds free of models
    return Channel.EMAIL if roles & PARTICIPANTS and not roles & BACK_OFFICE else Channel.OFF


@dataclass(frozen=True)
class Kind:
    """One kind of notification."""

    code: str
    group: Group
    label: Promise
    default: Channel | Callable[[object], Channel] = Channel.EMAIL
    required: bool = False
    # Who is offered the choice (None: everyone). Others keep the default.
    roles: frozenset[Role] | None = None

    @property
    def icon(self) -> str:
        return GROUP_ICONS[self.group]

    def default_for(self, user: object) -> Channel:
        """The channel this kind uses for ``user`` until they choose."""
        return self.default(user) if callable(self.default) else self.default


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "lead_submitted",
            Group.REFERRALS,
            _("A referral of yours was received"),
            roles=PARTICIPANTS,
        ),
        Kind(
            "lead_status",
            Group.REFERRALS,
            _("A referral of yours changed status"),
            roles=PARTICIPANTS,
        ),
        Kind(
            "outbound_received",
            Group.REFERRALS,
            _("A lead was sent to your organisation"),
            roles=PARTNERS,
        ),
        Kind(
            "outbound_status",
            Group.REFERRALS,
            _("A partner updated a lead you sent"),
            roles=frozenset({Role.EMPLOYEE}),
        ),
        Kind(
            "referral_ask",
            Group.REFERRALS,
            _("Invitations to refer someone you know"),
            roles=PARTICIPANTS | {Role.CUSTOMER},
        ),
        Kind(
            "partner_application",
            Group.ADMIN,
            _("Someone applied to become a partner"),
            roles=REVIEWERS,
        ),
        Kind(
            "partner_admitted",
            Group.ADMIN,
            _("Your application to become a partner was approved"),
            roles=frozenset({Role.PARTNER_ADMIN}),
        ),
        Kind(
            "partner_recruitment",
            Group.ADMIN,
            _("A partner you recruited was approved or declined"),
            roles=frozenset({Role.PARTNER_ADMIN}),
        ),
        Kind(
            "reciprocity_lag",
            Group.ADMIN,
            _("A reciprocal partnership is out of balance"),
            roles=frozenset({Role.REVIEWER, Role.PARTNER_ADMIN}),
        ),
        Kind("tier_up", Group.REWARDS, _("You reached a new tier"), roles=PARTICIPANTS),
        Kind("badge", Group.REWARDS, _("You earned a badge"), Channel.PORTAL, roles=PARTICIPANTS),
        Kind("milestone", Group.REWARDS, _("You reached a milestone"), roles=PARTICIPANTS),
        Kind("goal_reached", Group.REWARDS, _("You reached a goal"), roles=PARTICIPANTS),
        Kind(
            "redemption_status",
            Group.REWARDS,
            _("A reward you redeemed changed status"),
            roles=PARTICIPANTS | {Role.CUSTOMER},
        ),
        Kind("raffle_won", Group.REWARDS, _("You won a raffle"), roles=PARTICIPANTS),
        Kind("commission_paid", Group.MONEY, _("A commission was paid"), roles=PARTICIPANTS),
        Kind("contest_won", Group.BOARDS, _("You placed in a contest"), roles=PARTICIPANTS),
        Kind(
            "weekly_digest",
            Group.BOARDS,
            _("The weekly digest of shout-outs"),
            _participants_by_email,
        ),
        Kind("announcement", Group.NEWS, _("Announcements")),
        Kind(
            "agreement_new_version",
            Group.NEWS,
            _("A new version of the partner agreement"),
            required=True,
            roles=PARTNERS,
        ),
        Kind(
            "review_reminder", Group.ADMIN, _("Leads waiting too long for review"), roles=REVIEWERS
        ),
        Kind(
            "partner_health",
            Group.ADMIN,
            _("Weekly: partners who went quiet or whose leads fell"),
            roles=REVIEWERS,
        ),
        Kind(
            "webhook_disabled",
            Group.ADMIN,
            _("A webhook endpoint was switched off"),
            required=True,
            roles=REVIEWERS,
        ),
    )
}


def kind_of(code: str) -> Kind:
    """The kind named ``code``; an unknown code (a kind added later) is news by e-mail."""
    return KINDS.get(code) or Kind(code, Group.NEWS, _("Other news"))


def kinds_offered_to(user: object) -> list[Kind]:
    """The kinds ``user`` may set, in the order of their groups."""
    roles = roles_of(user=user)  # type: ignore[arg-type]  # a User; object keeps kinds free of models
    order = list(Group)
    offered = [k for k in KINDS.values() if k.roles is None or k.roles & roles]
    return sorted(offered, key=lambda k: order.index(k.group))
