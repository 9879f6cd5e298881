# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task

from .services import reciprocity_remind


@shared_task
def reciprocity_remind_task() -> int:
    """Daily: remind the lagging side of each reciprocal partnership. Safe to run twice
    (one reminder per partner, period and side)."""
    return reciprocity_remind()


@shared_task
def customer_invitation_send(invitation_id: int, token: str) -> None:
    """E-mail one customer invitation, in the customer's language; nothing once used."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .models import CustomerInvitation

    invitation = CustomerInvitation.objects.filter(pk=invitation_id, accepted_at=None).first()
    if invitation is None:
        return
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "signup_url": settings.SITE_URL + reverse("networks:customer_signup", args=[token]),
        }
        subject = render_to_string("networks/email/customer_invitation_subject.txt", context)
        body = render_to_string("networks/email/customer_invitation_body.txt", context)
    send_mail(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@shared_task
def outbound_anonymise() -> int:
    """Nightly: erase outbound leads' contact data past retention. Safe to run twice."""
    from .services import outbound_anonymise_expired

    return outbound_anonymise_expired()
