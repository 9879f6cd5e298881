# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sending referral asks: once per person and trigger, never inside a person's quiet
period, never to an address that unsubscribed; a reminder once, only when the person
has not referred since the ask.

A *referral* after an ask is a lead whose referrer is the account with the ask's
address (a lead submitted by that person or through their referral link, which records
them as its referrer), submitted at or after the ask. A person without an account
cannot have referred yet."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.badinput import has_nul
from portal.leads.models import Lead, LeadStatus
from portal.leads.normalise import normalise_email

from .models import Campaign, CampaignOptOut, CampaignSend, Trigger, Variant

UNSUBSCRIBE_SALT = "campaigns.unsubscribe"
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 5000


def variant_for(*, campaign: Campaign, email: str) -> str:
    """A or B for this person: the same every time (a hash of campaign and address);
    always A when the campaign has no subject B."""
    if not campaign.subject_b:
        return Variant.A
    digest = hashlib.sha256(f"{campaign.pk}:{email}".encode()).digest()
    return Variant.B if digest[0] % 2 else Variant.A


def unsubscribe_token(*, email: str) -> str:
    """The signed token of an unsubscribe link for ``email``."""
    return signing.dumps(normalise_email(email), salt=UNSUBSCRIBE_SALT)


def unsubscribe_email_from(*, token: str) -> str | None:
    """The address a signed unsubscribe token names, or ``None`` when it was tampered with."""
    try:
        value = signing.loads(token or "", salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and value else None


def unsubscribe(*, email: str) -> bool:
    """Stop every campaign's asks to ``email``. Idempotent; returns whether it was new."""
    _obj, created = CampaignOptOut.objects.get_or_create(email=normalise_email(email))
    return created


def referrals_after(*, email: str, since: datetime) -> int:
    """How many leads the account with ``email`` referred at or after ``since``. Read only."""
    return Lead.objects.filter(
        referrer__email__iexact=normalise_email(email), submitted_at__gte=since
    ).count()


def campaign_ask(
    *,
    campaign: Campaign,
    email: str,
    trigger_key: str,
    at: datetime,
    language: str = "",
) -> CampaignSend | None:
    """Record one ask and e-mail it after commit. Nothing (``None``) when the campaign is
    inactive, the address is empty, unsubscribed, asked by any campaign within the quiet
    period before ``at``, or already asked by this campaign for this trigger (a unique
    row). Locks nothing; publishes nothing."""
    email = normalise_email(email)
    if not campaign.active or not email:
        return None
    if CampaignOptOut.objects.filter(email=email).exists():
        return None
    quiet_from = at - timedelta(days=campaign.quiet_days)
    if (
        CampaignSend.objects.filter(email=email, sent_at__gt=quiet_from, sent_at__lte=at).exists()
        or CampaignSend.objects.filter(
            email=email, reminded_at__gt=quiet_from, reminded_at__lte=at
        ).exists()
    ):
        return None
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    try:
        with transaction.atomic():
            send = CampaignSend.objects.create(
                campaign=campaign,
                email=email,
                user=user,
                trigger_key=trigger_key[:64],
                variant=variant_for(campaign=campaign, email=email),
                language=(user.language if user else language) or "",
                sent_at=at,
            )
    except IntegrityError:
        return None  # asked already for this trigger
    from .tasks import campaign_send_deliver

    transaction.on_commit(lambda: campaign_send_deliver.delay(send.pk, False))
    return send


def campaign_send_email(*, send_id: int, reminder: bool) -> bool:
    """Deliver one ask (or its reminder): to an account through a notification (in the
    portal and the e-mail outbox), to anyone else by e-mail. Idempotent under the send's
    row lock; nothing to an address that unsubscribed in the meantime."""
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    from portal.notifications.services import notify

    stamp = "reminder_emailed_at" if reminder else "emailed_at"
    with transaction.atomic():
        send = (
            CampaignSend.objects.select_for_update(of=("self",))
            .select_related("campaign", "user")
            .filter(pk=send_id, **{f"{stamp}__isnull": True})
            .first()
        )
        if send is None or (reminder and send.reminded_at is None):
            return False
        if CampaignOptOut.objects.filter(email=send.email).exists():
            return False
        campaign = send.campaign
        language = (send.user.language if send.user else send.language) or settings.LANGUAGE_CODE
        with translation.override(language):  # the campaign's texts in that language
            subject = campaign.subject_b if send.variant == Variant.B else campaign.subject_a
            text = campaign.body
        unsubscribe_url = settings.SITE_URL + reverse(
            "campaigns:unsubscribe", args=[unsubscribe_token(email=send.email)]
        )
        context: dict[str, Any] = {
            "subject": subject,
            "body": text,
            "reminder": reminder,
            "unsubscribe_url": unsubscribe_url,
        }
        if send.user is not None and send.user.is_active:
            notify(
                user=send.user,
                kind="referral_ask",
                context=context,
                url=reverse("leads:new"),
            )
        else:
            from django.template.loader import render_to_string

            with translation.override(send.language or settings.LANGUAGE_CODE):
                title = render_to_string("notifications/email/referral_ask_subject.txt", context)
                body = render_to_string("notifications/email/referral_ask_body.txt", context)
            send_mail(title.strip(), body, settings.DEFAULT_FROM_EMAIL, [send.email])
        setattr(send, stamp, timezone.now())
        send.save(update_fields=[stamp])
    return True


def campaigns_for_won_lead(*, lead: Lead, at: datetime) -> int:
    """Ask a just-won lead's contact, for each active "lead won" campaign of its program.
    Returns how many asks were recorded."""
    if lead.status != LeadStatus.WON or lead.anonymised_at:
        return 0
    sent = 0
    for campaign in Campaign.objects.filter(program_id=lead.program_id, trigger=Trigger.WON):
        sent += bool(
            campaign_ask(
                campaign=campaign,
                email=lead.email,
                trigger_key=f"lead:{lead.pk}",
                at=at,
                language=lead.language,
            )
        )
    return sent


def campaigns_for_milestone(*, user: User, program_id: int, tier_id: int, at: datetime) -> int:
    """Ask a referrer who reached a higher tier, for each active "milestone" campaign of
    the program: once per tier reached. Returns how many asks were recorded."""
    sent = 0
    for campaign in Campaign.objects.filter(program_id=program_id, trigger=Trigger.MILESTONE):
        sent += bool(
            campaign_ask(campaign=campaign, email=user.email, trigger_key=f"tier:{tier_id}", at=at)
        )
    return sent


def campaigns_run_due(*, at: datetime) -> dict[str, int]:
    """The periodic run: ask the contacts of leads won at least N days ago (won since the
    campaign began, so a new campaign does not reach back over old customers), and send
    the reminders that are due to people who have not referred since their ask. Safe to
    run twice (unique asks; a reminder is claimed once under the send's row lock)."""
    asked = 0
    for campaign in Campaign.objects.filter(active=True, trigger=Trigger.DAYS_AFTER_WON):
        due_before = at - timedelta(days=campaign.days_after_won)
        leads = Lead.objects.filter(
            program_id=campaign.program_id,
            status=LeadStatus.WON,
            anonymised_at__isnull=True,
            status_changed_at__lte=due_before,
            status_changed_at__gte=campaign.created_at - timedelta(days=campaign.days_after_won),
        ).exclude(email="")
        for lead in leads.iterator():
            asked += bool(
                campaign_ask(
                    campaign=campaign,
                    email=lead.email,
                    trigger_key=f"lead:{lead.pk}",
                    at=at,
                    language=lead.language,
                )
            )
    reminded = 0
    for campaign in Campaign.objects.filter(active=True, reminder_days__gt=0):
        due = CampaignSend.objects.filter(
            campaign=campaign,
            reminded_at__isnull=True,
            sent_at__lte=at - timedelta(days=campaign.reminder_days),
        )
        for pk in due.values_list("pk", flat=True):
            reminded += _remind(send_id=pk, at=at)
    return {"asked": asked, "reminded": reminded}


def _remind(*, send_id: int, at: datetime) -> int:
    with transaction.atomic():
        send = (
            CampaignSend.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk=send_id, reminded_at__isnull=True)
            .first()
        )
        if send is None or CampaignOptOut.objects.filter(email=send.email).exists():
            return 0
        if referrals_after(email=send.email, since=send.sent_at):
            return 0
        quiet_from = at - timedelta(days=send.campaign.quiet_days)
        others = CampaignSend.objects.filter(email=send.email).exclude(pk=send.pk)
        if (
            others.filter(sent_at__gt=quiet_from, sent_at__lte=at).exists()
            or others.filter(reminded_at__gt=quiet_from, reminded_at__lte=at).exists()
        ):
            return 0  # another campaign asked lately: the reminder waits for a later run
        send.reminded_at = at
        send.save(update_fields=["reminded_at"])
        from .tasks import campaign_send_deliver

        transaction.on_commit(lambda: campaign_send_deliver.delay(send_id, True))
    return 1


def campaign_csv_upload(*, campaign: Campaign, data: bytes, at: datetime) -> dict[str, int]:
    """Ask each address of an uploaded CSV (a header row with an ``email`` column; an
    optional ``language`` column). The whole file is checked first: any bad row refuses
    it with the rows named, and nothing is sent. Each address is asked once per campaign.
    Returns how many asks were recorded and how many were skipped."""
    if campaign.trigger != Trigger.CSV:
        raise ValidationError(_("This campaign does not take a list of customers."))
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 1 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from exc
    if has_nul(text):
        raise ValidationError(_("The file contains a NUL character."))
    rows = list(csv.DictReader(io.StringIO(text)))
    header = [(name or "").strip().lower() for name in (rows[0].keys() if rows else [])]
    if "email" not in header:
        raise ValidationError(_("The first row must name the columns and include “email”."))
    if len(rows) > CSV_MAX_ROWS:
        raise ValidationError(_("The file has too many rows (at most 5000)."))
    addresses: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        email = normalise_email(values.get("email", ""))
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Row %(row)s: “%(value)s” is not an e-mail address.")
                % {
                    "row": number,
                    "value": email[:80],
                }
            )
            continue
        language = values.get("language", "").lower()
        addresses.append((email, language if language in dict(settings.LANGUAGES) else ""))
    if errors:
        raise ValidationError(errors[:20])
    sent = 0
    for email, language in addresses:
        sent += bool(
            campaign_ask(
                campaign=campaign, email=email, trigger_key="csv", at=at, language=language
            )
        )
    return {"sent": sent, "skipped": len(addresses) - sent}
