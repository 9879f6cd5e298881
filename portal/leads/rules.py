# SPDX-License-Identifier: AGPL-3.0-or-later
"""Quality rules every new lead passes before review (SPEC §3).

Each rule looks at the lead about to be saved and returns a Finding or None; the
program's setting for the rule decides whether a finding rejects the lead or flags it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import lru_cache
from time import monotonic
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.core.sql import PreparedRead

from .models import CONTENDING_STATUSES, DisposableEmailDomain, Lead, RejectionReason, RuleAction
from .normalise import email_domain


@dataclass(frozen=True)
class Finding:
    rule: str
    action: str  # RuleAction
    reason: str  # RejectionReason when the action rejects
    message: str
    language: str = ""  # the message's language: the referrer's, who reads it


_CONFLICT_KEYS = ("email_normalised", "phone_e164", "company_domain")


@lru_cache(maxsize=16)
def _conflict_read(keys: tuple[str, ...], exclude_pk: bool) -> PreparedRead[Lead]:
    """The conflict look-up for one set of present keys, its SQL written once per process:
    building it through the ORM on every submission cost more CPU than running it.
    Parameters: the keys' values, the contending statuses, the window's start, [the pk]."""

    def build(connection: BaseDatabaseWrapper) -> tuple[str, list[str]]:
        qn = connection.ops.quote_name
        meta = Lead._meta

        def col(name: str) -> str:
            field = meta.get_field(name)
            assert isinstance(field, Field) and field.column
            return qn(field.column)

        statuses = ", ".join(["%s"] * len(CONTENDING_STATUSES))
        sql = (
            f"SELECT {col('id')}, {col('organisation')}, {col('submitted_at')} "  # noqa: S608 (names from _meta)
            f"FROM {qn(meta.db_table)} "
            f"WHERE ({' OR '.join(f'{col(k)} = %s' for k in keys)}) "
            f"AND {col('status')} IN ({statuses}) AND {col('submitted_at')} >= %s"
            + (f" AND {col('id')} <> %s" if exclude_pk else "")
            + f" ORDER BY {col('submitted_at')} ASC, {col('id')} ASC LIMIT 1"
        )
        return sql, ["id", "organisation_id", "submitted_at"]

    return PreparedRead(Lead, build)


def find_conflict(*, lead: Lead) -> Lead | None:
    """The earliest contending lead with the same e-mail, phone or company domain inside
    the program's attribution window, or None. One query; read only."""
    present = [(key, getattr(lead, key)) for key in _CONFLICT_KEYS if getattr(lead, key)]
    if not present:
        return None
    since = (lead.submitted_at or timezone.now()) - timedelta(
        days=lead.program.attribution_window_days
    )
    alias = router.db_for_read(Lead)
    read = _conflict_read(tuple(key for key, _value in present), bool(lead.pk))
    params: list[Any] = [value for _key, value in present]
    params += [str(status) for status in CONTENDING_STATUSES]
    params.append(connections[alias].ops.adapt_datetimefield_value(since))
    if lead.pk:
        params.append(lead.pk)
    # Only id, organisation and submitted_at are read (as .only() would).
    return next(iter(read.run(params, using=alias)), None)


def duplicate_disclosed(*, lead: Lead, earlier: Lead) -> bool:
    """Duplicate disclosure (README, "Duplicates"): a referrer learns that a prospect is
    already known, but when and in which lead only if the earlier lead came from their own
    organisation (their partner organisation, or the company for employees). Otherwise the
    date, the lead number and the referrer stay hidden: they would tell a partner what a
    competitor or the company is working on."""
    return lead.organisation_id == earlier.organisation_id


def _self_referral(lead: Lead, referrer) -> str | None:
    if lead.email_normalised and lead.email_normalised == referrer.email.lower():
        return _("You cannot refer yourself.")
    org = referrer.partner_organisation
    if org and org.email_domain:
        domains = {lead.company_domain, email_domain(lead.email)}
        if org.email_domain.lower() in domains:
            return _("This contact belongs to your own organisation (%(domain)s).") % {
                "domain": org.email_domain
            }
    return None


_DISPOSABLE_TTL = 60.0
_disposable_cache: tuple[float, frozenset[str]] = (0.0, frozenset())


def disposable_domains() -> frozenset[str]:
    """The admin-edited list, kept in memory for a minute (it changes rarely, and every
    submission asks)."""
    global _disposable_cache
    expires, domains = _disposable_cache
    if monotonic() >= expires:
        domains = frozenset(DisposableEmailDomain.objects.values_list("domain", flat=True))
        _disposable_cache = (monotonic() + _DISPOSABLE_TTL, domains)
    return domains


def disposable_domains_changed() -> None:
    global _disposable_cache
    _disposable_cache = (0.0, frozenset())


def _disposable(lead: Lead) -> str | None:
    domain = email_domain(lead.email)
    if domain and domain in disposable_domains():
        return _("%(domain)s is a disposable e-mail service; we need a real address.") % {
            "domain": domain
        }
    return None


def _over_daily_cap(lead: Lead, referrer) -> str | None:
    now = timezone.localtime()
    start = timezone.make_aware(datetime.combine(now.date(), time.min))
    today = Lead.objects.filter(referrer=referrer, submitted_at__gte=start).count()
    if today >= lead.program.daily_cap:
        return _("More than %(cap)s referrals in one day: a reviewer will check them.") % {
            "cap": lead.program.daily_cap
        }
    return None


def evaluate(*, lead: Lead, referrer) -> tuple[list[Finding], Lead | None]:
    """Run every rule the program has switched on. Returns findings and the conflicting lead.

    The messages are for the referrer, in their language: a prospect's own submission
    (referral link) runs in the prospect's language, which is not theirs."""
    language = referrer.language or (
        settings.LANGUAGE_CODE if lead.referral_link_id else translation.get_language()
    )
    with translation.override(language):
        findings, conflict = _evaluate(lead, referrer)
    return [replace(f, language=language) for f in findings], conflict


def _evaluate(lead: Lead, referrer) -> tuple[list[Finding], Lead | None]:
    program = lead.program
    findings: list[Finding] = []
    if program.rule_self_referral != RuleAction.OFF and (message := _self_referral(lead, referrer)):
        findings.append(
            Finding(
                "self_referral", program.rule_self_referral, RejectionReason.SELF_REFERRAL, message
            )
        )
    conflict = None
    if program.rule_duplicate != RuleAction.OFF:
        conflict = find_conflict(lead=lead)
        if conflict is not None:
            if duplicate_disclosed(lead=lead, earlier=conflict):
                message = _("This contact was already referred on %(date)s.") % {
                    "date": date_format(
                        timezone.localtime(conflict.submitted_at).date(), "SHORT_DATE_FORMAT"
                    )
                }
            else:
                message = _("This contact is already known to us.")
            findings.append(
                Finding("duplicate", program.rule_duplicate, RejectionReason.DUPLICATE, message)
            )
    if program.rule_disposable_email != RuleAction.OFF and (message := _disposable(lead)):
        findings.append(
            Finding(
                "disposable_email", program.rule_disposable_email, RejectionReason.INVALID, message
            )
        )
    if program.rule_daily_cap != RuleAction.OFF and (message := _over_daily_cap(lead, referrer)):
        findings.append(
            Finding("daily_cap", program.rule_daily_cap, RejectionReason.INVALID, message)
        )
    return findings, conflict
