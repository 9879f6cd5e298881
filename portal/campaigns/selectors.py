# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads about campaigns: the A/B report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.leads.models import Lead

from .models import Campaign, CampaignSend, Variant


@dataclass(frozen=True)
class VariantRow:
    variant: str
    subject: str
    asks: int
    reminders: int
    referrals: int

    @property
    def per_ask(self) -> Decimal:
        if not self.asks:
            return Decimal("0.00")
        return (Decimal(self.referrals) / Decimal(self.asks)).quantize(Decimal("0.01"))


def campaigns_all() -> QuerySet[Campaign]:
    """Every campaign with its number of asks, newest first. Read only."""
    return Campaign.objects.select_related("program").annotate(ask_count=Count("sends"))


def campaign_report(*, campaign: Campaign) -> list[VariantRow]:
    """Per subject variant: asks sent, reminders, and referrals (leads whose referrer has
    the ask's address, submitted at or after the ask), and referrals per ask. Read only."""
    referrals = (
        Lead.objects.filter(
            referrer__email__iexact=OuterRef("email"), submitted_at__gte=OuterRef("sent_at")
        )
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    sends = CampaignSend.objects.filter(campaign=campaign).annotate(
        referred=Coalesce(Subquery(referrals), 0)
    )
    rows = []
    variants = [Variant.A, Variant.B] if campaign.subject_b else [Variant.A]
    for variant in variants:
        mine = [s for s in sends if s.variant == variant]
        rows.append(
            VariantRow(
                variant=variant,
                subject=campaign.subject_b if variant == Variant.B else campaign.subject_a,
                asks=len(mine),
                reminders=sum(1 for s in mine if s.reminded_at),
                referrals=sum(s.referred for s in mine),
            )
        )
    return rows


def campaign_sends(*, campaign: Campaign) -> QuerySet[CampaignSend]:
    """The campaign's asks, newest first. Read only."""
    return CampaignSend.objects.filter(campaign=campaign).order_by("-sent_at", "-pk")
