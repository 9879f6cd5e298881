# SPDX-License-Identifier: AGPL-3.0-or-later
"""Retention: contact data of closed leads is erased after ``LEAD_RETENTION_DAYS``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record

from .models import Lead
from .models import LeadStatus as S

ERASED = "—"


def leads_anonymise_expired(*, now: datetime | None = None) -> int:
    """Erase contact data of lost, rejected and withdrawn leads past the retention period.
    The rows stay (status, program, dates, referrer) so the statistics keep their counts.
    Locks the expired rows; audits each. Publishes nothing."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.LEAD_RETENTION_DAYS)
    with transaction.atomic():
        expired = Lead.objects.select_for_update().filter(
            status__in=[S.LOST, S.REJECTED, S.WITHDRAWN],
            status_changed_at__lt=cutoff,
            anonymised_at__isnull=True,
        )
        ids = list(expired.values_list("pk", flat=True))
        Lead.objects.filter(pk__in=ids).update(
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
        for lead in Lead.objects.filter(pk__in=ids):
            audit_record(
                actor=None,
                action="lead.anonymised",
                target=lead,
                note=_("Contact details erased after the retention period."),
            )
    return len(ids)
