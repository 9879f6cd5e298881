# SPDX-License-Identifier: AGPL-3.0-or-later
"""Referral links: each user's stable link and the count of its visitors."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.models import User

from .models import LinkVisit, ReferralLink


def referral_link_for(*, user: User) -> ReferralLink:
    """The user's stable referral link, created on first use (a unique constraint settles
    two first uses at once). Locks nothing, publishes nothing."""
    link = ReferralLink.objects.filter(user=user).first()
    if link:
        return link
    try:
        with transaction.atomic():
            return ReferralLink.objects.create(user=user)
    except IntegrityError:  # created by a concurrent request
        return ReferralLink.objects.get(user=user)


def referral_link_record_visit(*, link: ReferralLink, ip: str, user_agent: str) -> bool:
    """Count a visit once per visitor per day (a unique constraint). Returns True when it
    was a new visitor. Locks nothing, publishes nothing."""
    day = timezone.localdate()
    visitor = hashlib.sha256(f"{settings.SECRET_KEY}|{day}|{ip}|{user_agent}".encode()).hexdigest()
    try:
        with transaction.atomic():
            LinkVisit.objects.create(link=link, day=day, visitor=visitor)
    except IntegrityError:  # this visitor was already counted today
        return False
    return True
