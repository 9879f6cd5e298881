# SPDX-License-Identifier: AGPL-3.0-or-later
"""The detectors: what looks like fraud about new leads, read set-wise.

Each detector answers for a whole list of new leads (a worker's batch, or one lead) with
at most one query, and finds for each lead exactly what it would find looking at that
lead alone, in the list's order: every lead is already written (a lead of the list
counts for the burst of a later one as for one submitted before the list), and a lead's
client print is seen from its own turn on (the handler keeps the prints of a batch before
detecting, where one at a time a later lead's print did not exist yet).

A detector returns, per lead, the findings ``fraud_case_open`` takes. Read only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q

from portal.accounts.models import User
from portal.leads.models import Lead

from .models import Detector, SubmissionPrint

Finding = dict[str, Any]
Prints = dict[int, SubmissionPrint]
DetectorFunc = Callable[..., list[list[Finding]]]

SHARED_FIELDS = ("address", "device", "network")  # the narrowest trait first


def _window_start(lead: Lead) -> datetime:
    return lead.submitted_at - timedelta(days=settings.FRAUD_WINDOW_DAYS)


def _any(terms: Sequence[Q]) -> Q:
    """The disjunction of ``terms`` (not empty)."""
    found = terms[0]
    for term in terms[1:]:
        found |= term
    return found


def detect_shared_client(*, leads: Sequence[Lead], prints: Prints) -> list[list[Finding]]:
    """Leads from one client address, device or network for at least
    FRAUD_SHARED_CLIENT_REFERRERS different referrers (within the window)."""
    found: list[list[Finding]] = [[] for _ in leads]
    values: dict[str, set[str]] = {field: set() for field in SHARED_FIELDS}
    for lead in leads:
        if own := prints.get(lead.pk):
            for field in SHARED_FIELDS:
                if value := getattr(own, field):
                    values[field].add(value)
    terms = [Q(**{f"{field}__in": sorted(v)}) for field, v in values.items() if v]
    if not terms:
        return found
    since = min(_window_start(lead) for lead in leads if lead.pk in prints)
    rows = list(
        SubmissionPrint.objects.filter(_any(terms), lead__submitted_at__gte=since)
        .order_by()
        .values_list("lead_id", *SHARED_FIELDS, "lead__referrer_id", "lead__submitted_at")
    )
    sharing: dict[tuple[int, str], list[Any]] = defaultdict(list)  # (field, value): rows
    for row in rows:
        for position in range(1, len(SHARED_FIELDS) + 1):
            sharing[position, row[position]].append(row)
    # One at a time, a later lead's print is not kept yet when an earlier lead is looked at.
    turn: dict[int, int] = {}
    for index, lead in enumerate(leads):
        turn.setdefault(lead.pk, index)
    for index, lead in enumerate(leads):
        own = prints.get(lead.pk)
        if own is None:
            continue
        since = _window_start(lead)
        for position, field in enumerate(SHARED_FIELDS, start=1):
            value = getattr(own, field)
            if not value:
                continue
            matching = [
                row
                for row in sharing[position, value]
                if row[-1] >= since and turn.get(row[0], index) <= index
            ]
            referrers = {row[-2] for row in matching}
            if len(referrers) >= settings.FRAUD_SHARED_CLIENT_REFERRERS:
                found[index].append(
                    {
                        "detector": Detector.SHARED_CLIENT,
                        "key": f"shared_client:{field}:{value[:16]}",
                        "leads": sorted(row[0] for row in matching),
                        "evidence": {
                            "field": field,
                            "referrers": len(referrers),
                            "threshold": settings.FRAUD_SHARED_CLIENT_REFERRERS,
                        },
                    }
                )
                break  # the narrowest shared trait is evidence enough
    return found


def detect_burst(*, leads: Sequence[Lead], prints: Prints) -> list[list[Finding]]:
    """At least FRAUD_BURST_COUNT leads by one referrer within FRAUD_BURST_MINUTES."""
    window = timedelta(minutes=settings.FRAUD_BURST_MINUTES)
    spans: dict[int, tuple[datetime, datetime]] = {}
    for lead in leads:
        first, last = spans.get(lead.referrer_id, (lead.submitted_at, lead.submitted_at))
        spans[lead.referrer_id] = (min(first, lead.submitted_at), max(last, lead.submitted_at))
    if not spans:
        return []
    by_referrer: dict[int, list[tuple[datetime, int]]] = {referrer: [] for referrer in spans}
    for pk, referrer, at in (
        Lead.objects.filter(
            _any(
                [
                    Q(referrer_id=referrer, submitted_at__gt=first - window, submitted_at__lte=last)
                    for referrer, (first, last) in spans.items()
                ]
            )
        )
        .order_by()
        .values_list("pk", "referrer_id", "submitted_at")
    ):
        by_referrer[referrer].append((at, pk))
    found: list[list[Finding]] = []
    for lead in leads:
        since, until = lead.submitted_at - window, lead.submitted_at
        burst = sorted(pk for at, pk in by_referrer[lead.referrer_id] if since < at <= until)
        if len(burst) < settings.FRAUD_BURST_COUNT:
            found.append([])
            continue
        found.append(
            [
                {
                    "detector": Detector.BURST,
                    "key": f"burst:user:{lead.referrer_id}",
                    "leads": burst,
                    "evidence": {
                        "count": len(burst),
                        "minutes": settings.FRAUD_BURST_MINUTES,
                        "threshold": settings.FRAUD_BURST_COUNT,
                    },
                }
            ]
        )
    return found


def _domain_of(user: User) -> str:
    org = user.partner_organisation
    if org is not None and org.email_domain:
        return org.email_domain.lower()
    return user.email.rsplit("@", 1)[-1].lower()


def _prospect_domain(lead: Lead) -> str:
    if lead.company_domain:
        return lead.company_domain.lower()
    return lead.email_normalised.rsplit("@", 1)[-1].lower() if "@" in lead.email_normalised else ""


def _referred_by(theirs: str) -> Q:
    """Leads whose referrer belongs to ``theirs``: by the organisation's domain or their
    own address."""
    return Q(referrer__partner_organisation__email_domain__iexact=theirs) | Q(
        referrer__email__iendswith="@" + theirs
    )


def _prospect_at(mine: str) -> Q:
    """Leads whose prospect is at ``mine``: by company domain or e-mail address."""
    return Q(company_domain__iexact=mine) | Q(email_normalised__iendswith="@" + mine)


def detect_ring(*, leads: Sequence[Lead], prints: Prints) -> list[list[Finding]]:
    """A refers B's company while someone of B's company refers A's."""
    pairs: dict[int, tuple[str, str]] = {}
    for index, lead in enumerate(leads):
        mine, theirs = _domain_of(lead.referrer), _prospect_domain(lead)
        if theirs and theirs != mine and theirs not in settings.FRAUD_FREE_MAIL_DOMAINS:
            pairs[index] = (mine, theirs)
    found: list[list[Finding]] = [[] for _ in leads]
    if not pairs:
        return found
    # Every lead that may close a ring for one of the pairs, then per lead the same tests
    # as the lookups above (the domains here are lower case; the lookups ignore case).
    rows = list(
        Lead.objects.filter(
            _any([_referred_by(theirs) for theirs in sorted({t for _m, t in pairs.values()})]),
            _any([_prospect_at(mine) for mine in sorted({m for m, _t in pairs.values()})]),
            submitted_at__gte=min(_window_start(leads[index]) for index in pairs),
        )
        .order_by("-submitted_at", "-pk")  # Lead's own order: the evidence lists them so
        .values_list(
            "pk",
            "submitted_at",
            "company_domain",
            "email_normalised",
            "referrer__email",
            "referrer__partner_organisation__email_domain",
        )
    )
    for index, (mine, theirs) in pairs.items():
        lead = leads[index]
        since = _window_start(lead)
        back_ids = [
            pk
            for pk, at, company, email, referrer_email, org_domain in rows
            if at >= since
            and (
                (org_domain or "").lower() == theirs
                or referrer_email.lower().endswith("@" + theirs)
            )
            and (company.lower() == mine or email.lower().endswith("@" + mine))
        ]
        if not back_ids:
            continue
        pair = sorted([mine, theirs])
        found[index].append(
            {
                "detector": Detector.RING,
                "key": f"ring:{pair[0]}:{pair[1]}"[:120],
                "leads": sorted([lead.pk, *back_ids]),
                "evidence": {"domains": pair, "back": back_ids},
            }
        )
    return found


def detect_self_referral(*, leads: Sequence[Lead], prints: Prints) -> list[list[Finding]]:
    """The prospect's e-mail domain is the referrer's own (not a free-mail domain), or
    the prospect's phone is one the referrer used for themselves elsewhere."""
    phoned = [lead for lead in leads if lead.phone_e164]
    rows = []
    if phoned:
        rows = list(
            Lead.objects.filter(
                Q(referrer_id__in={lead.referrer_id for lead in phoned})
                | Q(email_normalised__in={lead.referrer.email.lower() for lead in phoned}),
                phone_e164__in={lead.phone_e164 for lead in phoned},
            )
            .order_by()
            .values_list("pk", "referrer_id", "phone_e164", "email_normalised")
        )
    found: list[list[Finding]] = []
    for lead in leads:
        referrer_domain = lead.referrer.email.rsplit("@", 1)[-1].lower()
        prospect = lead.email_normalised.rsplit("@", 1)[-1].lower() if lead.email_normalised else ""
        reasons = []
        if (
            prospect
            and prospect not in settings.FRAUD_FREE_MAIL_DOMAINS
            and prospect in {referrer_domain, _domain_of(lead.referrer)}
        ):
            reasons.append("domain")
        if lead.phone_e164 and any(
            phone == lead.phone_e164
            and (
                (
                    referrer == lead.referrer_id
                    and pk != lead.pk
                    and email.lower().endswith("@" + referrer_domain)
                )
                or email == lead.referrer.email.lower()
            )
            for pk, referrer, phone, email in rows
        ):
            reasons.append("phone")
        if not reasons:
            found.append([])
            continue
        found.append(
            [
                {
                    "detector": Detector.SELF_REFERRAL,
                    "key": f"self_referral:user:{lead.referrer_id}",
                    "leads": [lead.pk],
                    "evidence": {"shared": reasons, "domain": prospect},
                }
            ]
        )
    return found


def detect_non_human(*, leads: Sequence[Lead], prints: Prints) -> list[list[Finding]]:
    """No pause between the link visit and the submission, or a headless agent."""
    found: list[list[Finding]] = []
    for lead in leads:
        fingerprint = prints.get(lead.pk)
        if fingerprint is None:
            found.append([])
            continue
        agent = fingerprint.user_agent.lower()
        headless = next((a for a in settings.FRAUD_HEADLESS_AGENTS if a.lower() in agent), None)
        too_fast = (
            fingerprint.seconds_after_visit is not None
            and fingerprint.seconds_after_visit < settings.FRAUD_MIN_SECONDS_AFTER_VISIT
        )
        if not (headless or too_fast):
            found.append([])
            continue
        found.append(
            [
                {
                    "detector": Detector.NON_HUMAN,
                    "key": f"non_human:link:{lead.referral_link_id}",
                    "leads": [lead.pk],
                    "evidence": {
                        "seconds_after_visit": fingerprint.seconds_after_visit,
                        "threshold": settings.FRAUD_MIN_SECONDS_AFTER_VISIT,
                        "agent": headless or "",
                    },
                }
            ]
        )
    return found


DETECTORS: tuple[DetectorFunc, ...] = (
    detect_shared_client,
    detect_burst,
    detect_ring,
    detect_self_referral,
    detect_non_human,
)
