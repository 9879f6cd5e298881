# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choosing a language: the footer picker for visitors (cookie, default Accept-Language),
a signed-in user's saved choice on every page, and content pages in their own language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import User

SETLANG = "/i18n/setlang/"


def _html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    assert text != msgid or language == "en", f"{msgid!r} is not translated into {language}"
    return text


@pytest.mark.django_db
def test_a_visitor_gets_the_browsers_language(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9,en;q=0.5")
    assert _html_lang(response) == "it"
    assert _in("it", "Skip to content") in response.content.decode()


@pytest.mark.django_db
def test_a_visitors_choice_is_kept_in_a_cookie_over_the_browsers_language(client):
    response = client.post(SETLANG, {"language": "fi", "next": reverse("account_login")})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fi"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="it")
    assert _html_lang(page) == "fi"
    assert _in("fi", "Skip to content") in page.content.decode()


@pytest.mark.django_db
def test_the_picker_changes_a_signed_in_users_saved_language(client, employee):
    """With a saved language, the picker used to change nothing: the saved one won."""
    User.objects.filter(pk=employee.pk).update(language="it")
    client.force_login(employee)
    assert _html_lang(client.get(reverse("dashboards:home"), follow=True)) == "it"
    client.post(SETLANG, {"language": "fi", "next": reverse("accounts:preferences")})
    employee.refresh_from_db()
    assert employee.language == "fi"
    page = client.get(reverse("accounts:preferences"), HTTP_ACCEPT_LANGUAGE="it")
    assert _html_lang(page) == "fi"
    assert _in("fi", "Settings") in page.content.decode()


@pytest.mark.django_db
def test_a_users_saved_language_wins_over_cookie_and_browser(client, employee):
    User.objects.filter(pk=employee.pk).update(language="lv")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    client.force_login(employee)
    page = client.get(reverse("accounts:preferences"), HTTP_ACCEPT_LANGUAGE="it")
    assert _html_lang(page) == "lv"


@pytest.mark.django_db
def test_the_saved_language_follows_the_user_to_a_new_session(client, employee):
    client.force_login(employee)
    client.post(SETLANG, {"language": "ru", "next": "/"})
    client.logout()
    client.cookies.clear()
    client.force_login(User.objects.get(pk=employee.pk))
    assert _html_lang(client.get(reverse("accounts:preferences"))) == "ru"


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(client, employee):
    User.objects.filter(pk=employee.pk).update(language="it")
    client.force_login(employee)
    client.post(SETLANG, {"language": "de", "next": "/"})
    client.post(SETLANG, {"language": "", "next": "/"})
    employee.refresh_from_db()
    assert employee.language == "it"


@pytest.mark.django_db
def test_the_picker_needs_a_post(client, employee):
    client.force_login(employee)
    response = client.get(SETLANG, {"language": "fi"})
    employee.refresh_from_db()
    assert response.status_code == 405 and employee.language == ""


@pytest.mark.django_db
def test_the_preferences_form_saves_the_language_too(client, employee):
    client.force_login(employee)
    client.post(
        reverse("accounts:preferences"),
        {"first_name": "Emma", "last_name": "", "language": "tl"},
    )
    employee.refresh_from_db()
    assert employee.language == "tl"
    assert _html_lang(client.get(reverse("accounts:preferences"))) == "tl"


@pytest.mark.django_db
def test_the_footer_picker_offers_every_language_named_in_itself(client):
    body = client.get(reverse("account_login")).content.decode()
    for code, name in [("fi", "suomi"), ("ru", "Русский"), ("tl", "Tagalog"), ("lv", "latviešu")]:
        assert f'<option value="{code}" lang="{code}"' in body and name in body


@pytest.mark.django_db
def test_a_portal_404_stays_a_404_in_any_language(client, employee):
    client.force_login(employee)
    User.objects.filter(pk=employee.pk).update(language="fi")
    response = client.get(reverse("leads:detail", args=[999999]))
    assert response.status_code == 404
