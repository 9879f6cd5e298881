# SPDX-License-Identifier: AGPL-3.0-or-later
"""Retention and erasure: contact data leaves leads after the retention periods, or at the
person's request; the rows, counts and money records stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record

from .models import Lead
from .models import LeadStatus as S
from .normalise import normalise_email, normalise_phone

ERASED = "—"

# Other apps keep contact data about prospects too (networks: the leads we send to
# partners). Each registers its eraser here from ``AppConfig.ready()``, and a request to
# be forgotten reaches them in the same transaction. Not an event: the outbox would keep
# the very address the person asked us to erase.
PersonEraser = Callable[..., int]
_person_erasers: list[PersonEraser] = []


def person_eraser_register(eraser: PersonEraser) -> PersonEraser:
    """Register ``eraser(*, actor, email_key, phone_key, now) -> int`` (how many records it
    erased), called by ``person_erase`` under its transaction with the normalised e-mail
    and phone number ("" when not given). Once per function; returns it (a decorator)."""
    if eraser not in _person_erasers:
        _person_erasers.append(eraser)
    return eraser


def contact_data_erase(
    *,
    model: type[Lead] | type[models.Model],
    ids: list[int],
    now: datetime,
    actor: User | None,
    action: str,
    note: str,
) -> None:
    """Erase the contact data of these (locked) rows of ``model``: leads, or any record of a
    prospect with the same contact fields (networks' outbound leads). The rows stay
    (status, program, dates, referrer, deal value) so counts and money records are kept.
    Audits each."""
    model._default_manager.filter(pk__in=ids).update(
        name=ERASED,
        email="",
        phone="",
        company="",
        notes="",
        email_normalised="",
        phone_e164="",
        company_domain="",
        anonymised_at=now,
    )
    for row in model._default_manager.filter(pk__in=ids):
        audit_record(actor=actor, action=action, target=row, note=note)


def contact_data_erase_matching(
    *,
    model: type[Lead] | type[models.Model],
    email_key: str,
    phone_key: str,
    now: datetime,
    actor: User,
    action: str,
) -> list[int]:
    """A person asked to be forgotten: lock the rows of ``model`` not yet anonymised whose
    normalised e-mail or phone is theirs and erase their contact data
    (``contact_data_erase``, audited as ``action``). Call inside a transaction. Returns
    the ids erased."""
    match = Q(pk__in=[])
    if email_key:
        match |= Q(email_normalised=email_key)
    if phone_key:
        match |= Q(phone_e164=phone_key)
    ids = list(
        model._default_manager.select_for_update()
        .filter(match, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    contact_data_erase(
        model=model,
        ids=ids,
        now=now,
        actor=actor,
        action=action,
        note=_("Contact details erased at the person's request."),
    )
    return ids


def leads_anonymise_expired(*, now: datetime | None = None) -> int:
    """Erase contact data past the retention periods: lost, rejected and withdrawn leads
    ``LEAD_RETENTION_DAYS`` after they closed; qualified and won leads
    ``LEAD_RETENTION_DAYS_ACTIVE`` after their last status change (their deal value,
    commissions and points stay). The rows stay so the statistics keep their counts.
    Locks the expired rows; audits each."""
    now = now or timezone.now()
    periods = [
        ([S.LOST, S.REJECTED, S.WITHDRAWN], settings.LEAD_RETENTION_DAYS),
        ([S.QUALIFIED, S.WON], settings.LEAD_RETENTION_DAYS_ACTIVE),
    ]
    total = 0
    with transaction.atomic():
        for statuses, days in periods:
            expired = Lead.objects.select_for_update().filter(
                status__in=statuses,
                status_changed_at__lt=now - timedelta(days=days),
                anonymised_at__isnull=True,
            )
            ids = list(expired.values_list("pk", flat=True))
            contact_data_erase(
                model=Lead,
                ids=ids,
                now=now,
                actor=None,
                action="lead.anonymised",
                note=_("Contact details erased after the retention period."),
            )
            total += len(ids)
    return total


def person_erase(*, actor: User, email: str = "", phone: str = "") -> int:
    """A reviewer erases a prospect on their request: every lead whose contact e-mail or
    phone number is theirs (compared normalised) loses its contact data, as at the end
    of retention; statuses, counts, deal values, commissions and points stay (records
    the law requires). The registered erasers of other apps (outbound leads) do the same
    in the same transaction. Reviewers only; locks the leads; audits each lead
    (``lead.erased_on_request``). Returns how many leads were erased, of every kind."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers erase personal data."))
    email_key = normalise_email(email.strip()) if email.strip() else ""
    try:
        phone_key = normalise_phone(phone.strip()) if phone.strip() else ""
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    if not email_key and not phone_key:
        raise ValidationError(_("Give the person's e-mail address or phone number."))
    now = timezone.now()
    with transaction.atomic():
        ids = contact_data_erase_matching(
            model=Lead,
            email_key=email_key,
            phone_key=phone_key,
            now=now,
            actor=actor,
            action="lead.erased_on_request",
        )
        erased = len(ids)
        for eraser in _person_erasers:
            erased += eraser(actor=actor, email_key=email_key, phone_key=phone_key, now=now)
    return erased
