# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tagalog end to end: Django has no Tagalog of its own; ours works from the picker to the
page, the dates, the JavaScript strings, the content pages and the e-mails."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import check_for_language, get_language_info

from cms.demo_content import site_tree_ensure
from portal.accounts.models import User
from tests.factories import submit_lead

pytestmark = pytest.mark.django_db


def test_django_accepts_tagalog():
    assert check_for_language("tl")
    assert get_language_info("tl")["name_local"] == "Tagalog"


def test_a_user_picks_tagalog_and_the_portal_follows(client, employee, program):
    client.force_login(employee)
    client.post(reverse("set_language"), {"language": "tl", "next": reverse("dashboards:home")})
    employee.refresh_from_db()
    assert employee.language == "tl"
    page = client.get(reverse("accounts:preferences")).content.decode()
    with translation.override("tl"):
        settings_word = translation.gettext("Settings")
        log_out = translation.gettext("Log out")
    assert '<html lang="tl"' in page and settings_word in page and log_out in page
    assert settings_word != "Settings" and log_out != "Log out"
    assert '<option value="tl" lang="tl" selected>' in page
    # The page's scripts get the Tagalog catalog.
    assert '<script src="/i18n/js/tl.js" defer>' in page
    script = client.get("/i18n/js/tl.js").content.decode()
    assert "kumokonekta muli" in script


def test_tagalog_dates_and_numbers():
    with translation.override("tl"):
        assert date_format(date(2026, 3, 5), "DATE_FORMAT") == "Marso 5, 2026"
        assert date_format(date(2026, 3, 5), "SHORT_DATE_FORMAT") == "03/05/2026"
        assert date_format(date(2026, 12, 1), "YEAR_MONTH_FORMAT") == "Disyembre 2026"


def test_a_tagalog_users_email_is_in_tagalog(employee, program, django_capture_on_commit_callbacks):
    User.objects.filter(pk=employee.pk).update(language="tl")
    employee.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        lead = submit_lead(employee, program)
    with translation.override("tl"):
        subject = translation.gettext("Thank you for your referral #%(id)s") % {"id": lead.pk}
    assert any(m.subject == subject for m in mail.outbox if m.to == [employee.email])
    assert subject != f"Thank you for your referral #{lead.pk}"


def test_the_tagalog_content_pages_are_served(client):
    site_tree_ensure()
    body = client.get("/tl/faq/").content.decode()
    assert '<html lang="tl"' in body and "Mga tanong at sagot" in body
    assert "Sino ang puwedeng sumali?" in body
    home = client.get("/tl/").content.decode()
    assert "May kilala ka bang nangangailangan sa amin?" in home


def test_a_tagalog_visitor_is_greeted_on_the_referral_page(client, employee, program):
    from portal.leads.referrals import referral_link_for

    link = referral_link_for(user=employee)
    page = client.get(
        reverse("referral_page", args=[link.code]), HTTP_ACCEPT_LANGUAGE="tl-PH,tl;q=0.9"
    )
    assert '<html lang="tl"' in page.content.decode()
