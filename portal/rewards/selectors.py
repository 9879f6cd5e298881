from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.roles import Role
from portal.accounts.selectors import has_role

from .models import Raffle, Redemption, RewardItem


def catalog_for(user) -> QuerySet[RewardItem]:
    return (
        RewardItem.objects.filter(is_active=True)
        .prefetch_related("eligible_tiers")
        .select_related("image")
    )


def redemptions_visible_to(user) -> QuerySet[Redemption]:
    """Reviewers see every redemption; anyone else only their own (a partner never sees
    an employee's, nor the other way round)."""
    qs = Redemption.objects.select_related("item", "participant")
    if has_role(user, Role.REVIEWER):
        return qs
    return qs.filter(participant=user)


def raffles_visible_to(user) -> QuerySet[Raffle]:
    return Raffle.objects.filter(starts_at__lte=timezone.now())
