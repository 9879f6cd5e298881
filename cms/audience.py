# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who may see a content page: the page's own audience and that of every page above it.

A page restricted to employees, to partners or to partners of a tier is hidden from the
menus, the search and the sitemap of everyone else; asking for it answers the login page
to visitors and 404 to signed-in people outside its audience. Reviewers (who edit the
content) see every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import Role
from portal.accounts.selectors import roles_of

from .cache import TIMEOUT, key


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone, including visitors who are not logged in")
    PARTICIPANTS = "participants", _("Everyone who is logged in")
    EMPLOYEES = "employees", _("Employees")
    PARTNERS = "partners", _("Partners")
    PARTNER_TIER = "partner_tier", _("Partners at or above a tier")


@dataclass(frozen=True)
class Restriction:
    path: str
    audience: str
    tier_id: int | None
    tier_program_id: int | None
    tier_threshold: int | None


def _restrictions() -> list[Restriction]:
    """Every restricted subtree, read once and cached until a page is published or moved."""
    cache_key = key("restrictions")
    found = cache.get(cache_key)
    if found is not None:
        return found
    from .models import ContentPage

    found = []
    for model in ContentPage.concrete_models():
        rows = (
            model.objects.exclude(audience=Audience.PUBLIC)
            .values_list(
                "path",
                "audience",
                "audience_tier_id",
                "audience_tier__program_id",
                "audience_tier__threshold",
            )
            .order_by()
        )
        found.extend(Restriction(*row) for row in rows)
    cache.set(cache_key, found, TIMEOUT)
    return found


def _partner_tier_thresholds(user) -> dict[int, int]:
    """Program id → threshold of the partner's current tier in it."""
    from portal.rewards.models import TierStatus

    rows = TierStatus.objects.filter(participant=user, tier__isnull=False).values_list(
        "program_id", "tier__threshold"
    )
    return dict(rows)


class _Viewer:
    """What the audience rules need to know about a user, read lazily and once."""

    def __init__(self, user):
        self.user = user
        self.signed_in = bool(user and user.is_authenticated)
        self.roles = roles_of(user=user) if self.signed_in else frozenset()
        self._tiers: dict[int, int] | None = None

    @property
    def sees_everything(self) -> bool:
        return Role.REVIEWER in self.roles

    def tier_at_least(self, program_id: int | None, threshold: int | None) -> bool:
        if program_id is None or threshold is None:
            return False  # the tier was deleted: only reviewers see the page until fixed
        if self._tiers is None:
            self._tiers = _partner_tier_thresholds(self.user)
        mine = self._tiers.get(program_id)
        return mine is not None and mine >= threshold

    def allows(self, restriction: Restriction) -> bool:
        if self.sees_everything:
            return True
        audience = restriction.audience
        if audience == Audience.PARTICIPANTS:
            return self.signed_in
        if audience == Audience.EMPLOYEES:
            return Role.EMPLOYEE in self.roles
        if audience == Audience.PARTNERS:
            return Role.PARTNER_USER in self.roles
        if audience == Audience.PARTNER_TIER:
            return Role.PARTNER_USER in self.roles and self.tier_at_least(
                restriction.tier_program_id, restriction.tier_threshold
            )
        return True


def denied_paths(user) -> list[str]:
    """Tree paths of the subtrees this user may not see."""
    viewer = _Viewer(user)
    return [r.path for r in _restrictions() if not viewer.allows(r)]


def page_visible_to(page, user) -> bool:
    return not any(page.path.startswith(path) for path in denied_paths(user))


def visible_pages(pages: Iterable, user) -> list:
    pages = list(pages)
    if not pages:
        return pages
    denied = denied_paths(user)
    return [p for p in pages if not any(p.path.startswith(path) for path in denied)]


def is_public(page) -> bool:
    """Open to visitors: listed in the sitemap."""
    return page_visible_to(page, None)


def audience_members(page):
    """Active users who may see this page: who an announcement notifies."""
    from portal.accounts.models import User

    users = User.objects.filter(is_active=True)
    for r in _restrictions():
        if not page.path.startswith(r.path):
            continue
        if r.audience == Audience.EMPLOYEES:
            users = users.filter(partner_organisation__isnull=True)
        elif r.audience == Audience.PARTNERS:
            users = users.filter(partner_organisation__isnull=False)
        elif r.audience == Audience.PARTNER_TIER:
            if r.tier_program_id is None:
                users = users.none()
            else:
                users = users.filter(
                    partner_organisation__isnull=False,
                    tier_statuses__program_id=r.tier_program_id,
                    tier_statuses__tier__threshold__gte=r.tier_threshold or 0,
                )
    return users.distinct()
