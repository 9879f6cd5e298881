# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of reciprocal partners and outbound leads. Contact data of outbound leads is
reached only through here, under the rules of inbound leads: the sender, reviewers and
the partner it was sent to see it; managers see their teams' leads without it; nobody
sees it once it is erased."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal.accounts.models import PartnerOrganisation, User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, has_role, roles_of
from portal.leads.models import Lead, LeadStatus

from .models import OutboundLead, OutboundStatus, PartnerRecruitment, ReciprocalTerms
from .periods import Span, period_containing, period_shift

TREND_PERIODS = 4
# Inbound leads that count as received: what the quality rules or the referrer took back
# does not.
NOT_RECEIVED = (LeadStatus.REJECTED, LeadStatus.WITHDRAWN)


def reciprocal_terms_for(
    *, organisation: PartnerOrganisation, at: datetime
) -> ReciprocalTerms | None:
    """The terms in force at ``at``: the latest whose first day (site time zone) is on or
    before it. None: not reciprocal then. Read only."""
    day = timezone.localtime(at).date()
    return (
        ReciprocalTerms.objects.filter(organisation=organisation, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def reciprocal_partners_visible_to(*, user: Viewer) -> QuerySet[PartnerOrganisation]:
    """Reviewers see every reciprocal partner; a partner's members their own organisation
    when it is reciprocal; nobody else any. Read only."""
    roles = roles_of(user=user)
    qs = PartnerOrganisation.objects.filter(reciprocal_terms__isnull=False).distinct()
    if Role.REVIEWER in roles:
        return qs
    if Role.PARTNER_USER in roles and isinstance(user, User) and user.partner_organisation_id:
        return qs.filter(pk=user.partner_organisation_id)
    return qs.none()


def reciprocal_partners_open() -> QuerySet[PartnerOrganisation]:
    """Active organisations with terms in force today: where employees may send leads.
    Read only."""
    today = timezone.localdate()
    return (
        PartnerOrganisation.objects.filter(
            status=PartnerOrganisation.Status.ACTIVE, reciprocal_terms__valid_from__lte=today
        )
        .distinct()
        .order_by("name")
    )


def outbound_visible_to(*, user: Viewer) -> QuerySet[OutboundLead]:
    """Reviewers see every outbound lead; a partner's admin and users those sent to their
    organisation; managers their teams'; employees those they sent."""
    roles = roles_of(user=user)
    qs = OutboundLead.objects.select_related("organisation", "sender", "program")
    if not roles or not isinstance(user, User):
        return qs.none()
    if Role.REVIEWER in roles:
        return qs
    if Role.PARTNER_USER in roles:
        return qs.filter(organisation_id=user.partner_organisation_id)
    visible = Q(sender=user)
    if Role.MANAGER in roles:
        visible |= Q(sender__team__managers=user)
    return qs.filter(visible).distinct()


def outbound_pii_visible(*, user: Viewer, outbound: OutboundLead) -> bool:
    """Contact data: the sender, reviewers, and the partner it was sent to (who works the
    lead); never once erased. Read only."""
    if outbound.anonymised_at or not isinstance(user, User):
        return False
    roles = roles_of(user=user)
    if Role.REVIEWER in roles or outbound.sender_id == user.pk:
        return True
    return Role.PARTNER_USER in roles and outbound.organisation_id == user.partner_organisation_id


def outbound_may_update(*, user: Viewer, outbound: OutboundLead) -> bool:
    """Whether the status form is for this viewer: a member of the receiving partner, on
    an open lead. Read only (the services check again)."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.partner_organisation_id == outbound.organisation_id
        and outbound.is_open
        and not outbound.anonymised_at
    )


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("1"))


@dataclass(frozen=True)
class PeriodCount:
    span: Span
    sent: int
    received: int


@dataclass(frozen=True)
class Balance:
    organisation: PartnerOrganisation
    terms: ReciprocalTerms
    span: Span
    sent: int
    received: int
    sent_won: int
    received_won: int
    trend: list[PeriodCount] = field(default_factory=list)

    @property
    def quota_sent(self) -> int:
        return self.terms.quota_sent

    @property
    def quota_received(self) -> int:
        return self.terms.quota_received

    @property
    def sent_conversion(self) -> Decimal | None:
        """Percent of the leads we sent that the partner won."""
        return _ratio(self.sent_won, self.sent)

    @property
    def received_conversion(self) -> Decimal | None:
        """Percent of the leads the partner sent that we won."""
        return _ratio(self.received_won, self.received)

    @property
    def sent_short(self) -> int:
        return max(self.quota_sent - self.sent, 0)

    @property
    def received_short(self) -> int:
        return max(self.quota_received - self.received, 0)

    @property
    def sent_percent(self) -> int:
        return min(100, self.sent * 100 // self.quota_sent) if self.quota_sent else 100

    @property
    def received_percent(self) -> int:
        return min(100, self.received * 100 // self.quota_received) if self.quota_received else 100


def _counts(organisation: PartnerOrganisation, span: Span) -> tuple[int, int, int, int]:
    out = OutboundLead.objects.filter(
        organisation=organisation, sent_at__gte=span.start, sent_at__lt=span.end
    ).aggregate(n=Count("pk"), won=Count("pk", filter=Q(status=OutboundStatus.WON)))
    inbound = (
        Lead.objects.filter(
            organisation=organisation, submitted_at__gte=span.start, submitted_at__lt=span.end
        )
        .exclude(status__in=NOT_RECEIVED)
        .aggregate(n=Count("pk"), won=Count("pk", filter=Q(status=LeadStatus.WON)))
    )
    return out["n"], inbound["n"], out["won"], inbound["won"]


def reciprocity_balance(
    *, organisation: PartnerOrganisation, at: datetime, span: Span | None = None
) -> Balance | None:
    """Sent, received, quotas, conversion each way and the trend of the last periods, for
    the period containing ``at`` (or ``span``) under the terms in force at its start or
    at ``at``. None when the partner is not reciprocal then. Read only: four queries per
    period."""
    terms = reciprocal_terms_for(organisation=organisation, at=at)
    if terms is None:
        return None
    span = span or period_containing(kind=terms.period, moment=at)
    if span.kind != terms.period:
        span = period_containing(kind=terms.period, moment=span.start)
    sent, received, sent_won, received_won = _counts(organisation, span)
    trend = []
    for back in range(TREND_PERIODS - 1, 0, -1):
        earlier = period_shift(span=span, by=-back)
        s, r, _sw, _rw = _counts(organisation, earlier)
        trend.append(PeriodCount(earlier, s, r))
    trend.append(PeriodCount(span, sent, received))
    return Balance(organisation, terms, span, sent, received, sent_won, received_won, trend)


def reciprocity_overview(*, user: Viewer, at: datetime | None = None) -> list[Balance]:
    """The current period's balance of every reciprocal partner the viewer may see
    (reviewers: all; a partner: its own). Read only."""
    at = at or timezone.now()
    found = []
    for organisation in reciprocal_partners_visible_to(user=user).order_by("name"):
        balance = reciprocity_balance(organisation=organisation, at=at)
        if balance is not None:
            found.append(balance)
    return found


def recruits_of(*, user: Viewer) -> QuerySet[PartnerRecruitment]:
    """The organisations the user's partner organisation recruited (partner admins);
    none for anyone else. Read only."""
    if not has_role(user=user, roles=(Role.PARTNER_ADMIN,)) or not isinstance(user, User):
        return PartnerRecruitment.objects.none()
    return PartnerRecruitment.objects.select_related("organisation").filter(
        recruited_by_id=user.partner_organisation_id
    )


def recruitments_for_review(*, user: Viewer) -> QuerySet[PartnerRecruitment]:
    """Every recruitment, for reviewers (pending first); none for anyone else. Read only."""
    if not has_role(user=user, roles=(Role.REVIEWER,)):
        return PartnerRecruitment.objects.none()
    return PartnerRecruitment.objects.select_related("organisation", "recruited_by").order_by(
        "-decision", "-created_at"
    )
