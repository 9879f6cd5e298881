# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OfferCode, Raffle
from .raffles import raffle_draw
from .services import badges_award_top_of_month, tiers_recompute_all


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def offer_code_email(code_id: int) -> None:
    """E-mail the welcome offer to the referred prospect (they have no account)."""
    code = OfferCode.objects.select_related("lead", "lead__referrer", "program").get(pk=code_id)
    lead = code.lead
    if lead is None:  # a pool code not issued yet: nobody to write to
        return
    # The language the prospect used; for a lead entered by the referrer, the referrer's.
    language = lead.language or lead.referrer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"code": code, "lead": lead, "program": code.program}
        subject = render_to_string("rewards/email/offer_subject.txt", context).strip()
        body = render_to_string("rewards/email/offer_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [lead.email])


@shared_task
def tiers_recompute() -> int:
    return tiers_recompute_all()


@shared_task
def badges_top_of_last_month() -> int:
    """Monthly, on the 1st: badges for last month's top referrers (idempotent)."""
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return badges_award_top_of_month(year=year, month=month)


@shared_task
def raffles_draw_closed() -> int:
    """Hourly: draw every raffle whose entry period has ended."""
    drawn = 0
    for raffle in Raffle.objects.filter(drawn_at__isnull=True, ends_at__lte=timezone.now()):
        raffle_draw(raffle=raffle)
        drawn += 1
    return drawn
