# SPDX-License-Identifier: AGPL-3.0-or-later
"""E-mails go out in the recipient's language: users' (ours and allauth's), and the
referred prospect's, who chose it on the referral page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import User
from portal.leads import services as leads
from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for
from portal.notifications.models import Notification
from tests.factories import submit_lead


def _in(language: str, msgid: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated into {language}"
    return text % values if values else text


@pytest.mark.django_db
def test_a_finnish_users_email_is_in_finnish(employee, program, django_capture_on_commit_callbacks):
    User.objects.filter(pk=employee.pk).update(language="fi")
    employee.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        lead = submit_lead(employee, program)
    subject = _in("fi", "Thank you for your referral #%(id)s", id=lead.pk)
    sent = [m for m in mail.outbox if m.to == [employee.email] and m.subject == subject]
    assert len(sent) == 1
    assert _in("fi", "Hello %(name)s,", name=employee.first_name) in sent[0].body
    assert "Thank you for your referral" not in sent[0].body
    note = Notification.objects.get(user=employee, kind="lead_submitted")
    assert note.language == "fi" and note.title == sent[0].subject


@pytest.mark.django_db
def test_each_recipient_gets_the_same_news_in_their_own_language(
    employee, reviewer, program, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=employee.pk).update(language="ru")
    User.objects.filter(pk=reviewer.pk).update(language="it")
    employee.refresh_from_db()
    lead = submit_lead(employee, program)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_qualify(lead=lead, actor=User.objects.get(pk=reviewer.pk))
    sent = [m for m in mail.outbox if m.to == [employee.email]]
    assert sent, "the referrer is told"
    # Written by an Italian reviewer, read by a Russian referrer: Russian.
    with translation.override("ru"):
        status = str(Lead.objects.get(pk=lead.pk).get_status_display())
    assert sent[0].subject == _in("ru", "Referral #%(id)s: %(status)s", id=lead.pk, status=status)


@pytest.mark.django_db
def test_allauths_password_reset_mail_is_in_the_users_language(client, employee):
    User.objects.filter(pk=employee.pk).update(language="lv")
    client.post(
        reverse("account_reset_password"), {"email": employee.email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    with translation.override("lv"):
        expected = translation.gettext("Password Reset Email")
    assert expected != "Password Reset Email" and expected in message.subject


@pytest.mark.django_db
def test_a_new_account_keeps_the_language_it_signed_up_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@demo.vouch.test",
            "first_name": "Olga",
            "last_name": "Smirnova",
            "password1": "a-long-Pass-1234",
            "password2": "a-long-Pass-1234",
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="new@demo.vouch.test")
    assert user.language == "ru"
    confirmation = mail.outbox[-1]
    with translation.override("ru"):
        assert translation.gettext("Please Confirm Your Email Address") in confirmation.subject


@pytest.mark.django_db
def test_an_italian_prospect_gets_the_welcome_in_italian(
    client, employee, reviewer, program, django_capture_on_commit_callbacks
):
    cache.clear()  # the referral form's rate limit
    program.two_sided = True
    program.welcome_offer_en = "20% off the first year"
    program.welcome_offer_it = "20% di sconto sul primo anno"
    program.consent_text_it = "Acconsento a essere contattato in merito a questa segnalazione."
    program.save()
    link = referral_link_for(user=employee)
    url = reverse("referral_page", args=[link.code])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9")
    body = page.content.decode()
    assert '<html lang="it"' in body and program.consent_text_it in body
    client.post(
        url,
        {
            "name": "Giulia Bianchi",
            "email": "giulia@trattoria.example",
            "company": "Trattoria Bianchi",
            "consent": "on",
            "program": program.pk,
        },
        HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9",
    )
    lead = Lead.objects.get(email="giulia@trattoria.example")
    # The lead records the prospect's language and the consent text they saw.
    assert lead.language == "it"
    assert lead.consent_text == program.consent_text_it
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_qualify(lead=lead, actor=reviewer)  # the reviewer works in English
    welcome = [m for m in mail.outbox if m.to == ["giulia@trattoria.example"]]
    assert len(welcome) == 1
    with translation.override("it"):
        greeting = translation.gettext("Your welcome offer: %(offer)s.") % {
            "offer": "20% di sconto sul primo anno"
        }
    assert greeting in welcome[0].body
    assert "Hello" not in welcome[0].body and "Ciao" in welcome[0].body


@pytest.mark.django_db
def test_a_lead_entered_by_the_referrer_writes_to_the_prospect_in_the_referrers_language(
    employee, reviewer, program, django_capture_on_commit_callbacks
):
    program.two_sided = True
    program.welcome_offer_en = "20% off the first year"
    program.welcome_offer_ru = "скидка 20 процентов на первый год"
    program.save()
    User.objects.filter(pk=employee.pk).update(language="ru")
    employee.refresh_from_db()
    lead = submit_lead(employee, program, email="ivan@prospect.example")
    assert lead.language == ""  # the prospect did not choose: the referrer knows them
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_qualify(lead=lead, actor=reviewer)
    welcome = [m for m in mail.outbox if m.to == ["ivan@prospect.example"]]
    assert len(welcome) == 1 and "скидка 20 процентов" in welcome[0].body
