# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task
def invitation_send(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if invitation.state != "pending":
        return
    language = invitation.invited_by.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "accept_url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[token]),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
