# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a user may see and do. Every view, API endpoint and consumer asks here.

This is the one place where roles are derived; nothing else reads groups or flags.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeAlias

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Invitation, PartnerOrganisation, Team, User
from .roles import STAFF_GROUPS, Role

STAFF_ROLES = frozenset(STAFF_GROUPS)
ADMIN_ROLES = frozenset({Role.MANAGER, Role.REVIEWER, Role.FINANCE})
MFA_ROLES = frozenset({Role.REVIEWER, Role.FINANCE})

# Whoever asks: a request's user may be anonymous.
Viewer: TypeAlias = User | AnonymousUser


def _base_roles(user: Viewer) -> frozenset[Role]:
    """The roles that follow from the user's own row (no query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if getattr(user, "is_customer", False):
        return frozenset({Role.CUSTOMER})
    if user.partner_organisation_id:
        if user.is_partner_admin:
            return frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})
        return frozenset({Role.PARTNER_USER})
    return frozenset({Role.EMPLOYEE})


def roles_of(*, user: Viewer) -> frozenset[Role]:
    """All of the user's roles, cached on the user object for the request. Reads the
    user's groups once; locks nothing, publishes nothing."""
    cached = getattr(user, "_vouch_roles", None)
    if cached is not None:
        return cached
    if isinstance(user, AnonymousUser):
        return frozenset()
    roles = set(_base_roles(user))
    if Role.EMPLOYEE in roles:  # staff roles are for the company's own people
        group_roles = {name: role for role, name in STAFF_GROUPS.items()}
        for name in user.groups.values_list("name", flat=True):
            if name in group_roles:
                roles.add(group_roles[name])
    found = user.__dict__["_vouch_roles"] = frozenset(roles)
    return found


def has_role(*, user: Viewer, roles: Collection[Role]) -> bool:
    """Whether the user holds any of ``roles``. Reads groups only when a staff role is
    asked of an employee; locks nothing, publishes nothing."""
    wanted = set(roles)
    base = _base_roles(user)
    if base & wanted:
        return True
    if not wanted & STAFF_ROLES or Role.EMPLOYEE not in base:
        return False  # the answer needs no look-up of groups
    return bool(roles_of(user=user) & wanted)


def is_partner(*, user: Viewer) -> bool:
    """Whether the user belongs to a partner organisation (no query)."""
    return Role.PARTNER_USER in _base_roles(user)


def can_access_admin(*, user: Viewer) -> bool:
    """Wagtail's admin: reviewers, finance and managers only (and superusers). Read only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or roles_of(user=user) & ADMIN_ROLES)


def has_mfa(*, user: Viewer) -> bool:
    """Whether the user has set up a TOTP authenticator (one query)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa_setup(*, user: Viewer) -> bool:
    """Reviewers and finance must set up TOTP before using those powers (when
    ``MFA_REQUIRED_FOR_STAFF``). Read only."""
    if not settings.MFA_REQUIRED_FOR_STAFF or not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_superuser or roles_of(user=user) & MFA_ROLES):
        return False
    return not has_mfa(user=user)


def can_invite_into(*, user: Viewer, organisation: PartnerOrganisation, as_admin: bool) -> bool:
    """Reviewers invite anyone into any organisation; a partner admin, users into their
    own. Read only."""
    roles = roles_of(user=user)
    if Role.REVIEWER in roles:
        return True
    return (
        isinstance(user, User)
        and Role.PARTNER_ADMIN in roles
        and user.partner_organisation_id == organisation.pk
        and not as_admin
    )


def organisation_members(*, user: Viewer) -> QuerySet[User]:
    """Members of the user's own partner organisation (partner admins only; anyone else
    gets none)."""
    if not isinstance(user, User) or Role.PARTNER_ADMIN not in roles_of(user=user):
        return User.objects.none()
    return User.objects.filter(partner_organisation_id=user.partner_organisation_id).order_by(
        "-is_partner_admin", "last_name", "email"
    )


def invitations_visible_to(*, user: Viewer) -> QuerySet[Invitation]:
    """Invitations the user may see: all for reviewers, their organisation's for a
    partner admin, none for anyone else."""
    roles = roles_of(user=user)
    qs = Invitation.objects.select_related("organisation", "invited_by")
    if Role.REVIEWER in roles:
        return qs
    if isinstance(user, User) and Role.PARTNER_ADMIN in roles:
        return qs.filter(organisation_id=user.partner_organisation_id)
    return qs.none()


def organisations_visible_to(*, user: Viewer) -> QuerySet[PartnerOrganisation]:
    """Organisations the user may see: all for reviewers and finance, their own for a
    partner user, none for anyone else."""
    roles = roles_of(user=user)
    if roles & {Role.REVIEWER, Role.FINANCE}:
        return PartnerOrganisation.objects.all()
    if isinstance(user, User) and user.partner_organisation_id and Role.PARTNER_USER in roles:
        return PartnerOrganisation.objects.filter(pk=user.partner_organisation_id)
    return PartnerOrganisation.objects.none()


def teams_managed_by(*, user: Viewer) -> QuerySet[Team]:
    """The teams a manager manages (none for anyone without the manager role)."""
    if not isinstance(user, User) or Role.MANAGER not in roles_of(user=user):
        return Team.objects.none()
    return user.managed_teams.all()


# --- Navigation and dashboards ----------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    key: str


def dashboard_url_for(*, user: Viewer) -> str:
    """Where a user lands after logging in: the most specific dashboard they have
    (``/`` without a role). Read only."""
    roles = roles_of(user=user)
    for role, name in (
        (Role.REVIEWER, "dashboards:review"),
        (Role.FINANCE, "dashboards:finance"),
        (Role.MANAGER, "dashboards:team"),
        (Role.PARTNER_ADMIN, "dashboards:partner"),
        (Role.PARTNER_USER, "dashboards:partner"),
        (Role.EMPLOYEE, "dashboards:employee"),
        (Role.CUSTOMER, "networks:customer_home"),
    ):
        if role in roles:
            return reverse(name)
    return "/"


def navigation_for(*, user: Viewer) -> list[NavItem]:
    """The menu the user's roles open, in display order. Read only."""
    roles = roles_of(user=user)
    items: list[NavItem] = []
    if Role.EMPLOYEE in roles:
        items.append(NavItem(_("Dashboard"), reverse("dashboards:employee"), "employee"))
    if Role.PARTNER_USER in roles:
        items.append(NavItem(_("Dashboard"), reverse("dashboards:partner"), "partner"))
    if roles & {Role.EMPLOYEE, Role.PARTNER_USER}:
        items.append(NavItem(_("Refer"), reverse("leads:new"), "refer"))
        items.append(NavItem(_("My link"), reverse("leads:share"), "share"))
        items.append(NavItem(_("Rewards"), reverse("rewards:home"), "rewards"))
    if roles & {Role.EMPLOYEE, Role.PARTNER_USER, Role.MANAGER}:
        items.append(NavItem(_("Referrals"), reverse("leads:list"), "leads"))
    if roles & {Role.EMPLOYEE, Role.PARTNER_USER}:
        items.append(NavItem(_("Network"), reverse("networks:outbound_list"), "network"))
    if Role.CUSTOMER in roles:
        items.append(NavItem(_("My referrals"), reverse("networks:customer_home"), "customer"))
        items.append(NavItem(_("Rewards"), reverse("rewards:catalog"), "rewards"))
    if roles:
        items.append(NavItem(_("Boards"), reverse("leaderboard:boards"), "boards"))
    if Role.PARTNER_USER in roles:
        items.append(NavItem(_("Commissions"), reverse("payouts:commissions"), "commissions"))
    if Role.PARTNER_ADMIN in roles:
        items.append(NavItem(_("Organisation"), reverse("dashboards:organisation"), "organisation"))
    if Role.MANAGER in roles:
        items.append(NavItem(_("My teams"), reverse("dashboards:team"), "team"))
    if Role.REVIEWER in roles:
        items.append(NavItem(_("Review"), reverse("dashboards:review"), "review"))
        items.append(NavItem(_("Lead queue"), reverse("leads_admin:queue"), "queue"))
        items.append(NavItem(_("Partners"), reverse("accounts:partner_list"), "partners"))
        items.append(NavItem(_("Campaigns"), reverse("campaigns:list"), "campaigns"))
    if roles & {Role.REVIEWER, Role.MANAGER, Role.PARTNER_ADMIN}:
        items.append(NavItem(_("Insight"), reverse("insight:home"), "insight"))
    if Role.FINANCE in roles:
        items.append(NavItem(_("Finance"), reverse("dashboards:finance"), "finance"))
        items.append(NavItem(_("Payouts"), reverse("payouts_admin:batches"), "payouts"))
    if can_access_admin(user=user):
        items.append(NavItem(_("Admin"), "/admin/", "admin"))
    return items
