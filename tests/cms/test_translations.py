# SPDX-License-Identifier: AGPL-3.0-or-later
"""Content pages in every language (wagtail-localize): each at its language's URL, linked
to its translations, in that language's menus, search and sitemap; rules that pick "the"
page (the agreement's version, an announcement's notification) hold once per page, not
once per language."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page
from wagtail_localize.fields import TranslatableField, get_translatable_fields

from cms.agreements import agreement_accept, agreement_pending_for
from cms.demo_content import page_translate
from cms.models import AgreementPage, AnnouncementIndexPage, AnnouncementPage, HomePage, ProgramPage
from cms.services import announcement_notify
from portal.accounts.models import User
from portal.leads.permissions import lead_submission_permission
from portal.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _home() -> HomePage:
    return HomePage.objects.get(locale=Locale.get_default())


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _translate(page, language: str, **texts):
    """Translate through wagtail-localize as the demo does, from a copy of the page's texts
    with these ones in the language (the others stay as they are)."""
    page = page.specific
    shadow = type(page)()
    for field in get_translatable_fields(type(page)):
        if isinstance(field, TranslatableField):
            setattr(shadow, field.field_name, getattr(page, field.field_name))
    for field, value in texts.items():
        setattr(shadow, field, value)
    return page_translate(page, language, shadow)


@pytest.fixture
def home():
    home = _home()
    _translate(home, "fi", title="Vouch", headline="Suosittele meitä", call_to_action="Suosittele")
    return home


@pytest.fixture
def rules(home):
    page = _publish(
        home,
        ProgramPage(title="Program rules", slug="rules", show_in_menus=True, intro="<p>Refer.</p>"),
    )
    finnish = _translate(page, "fi", title="Ohjelman säännöt", intro="<p>Suosittele.</p>")
    return page, finnish


def test_a_translated_page_is_served_at_its_languages_url(client, rules):
    page, finnish = rules
    assert finnish.url == "/fi/rules/" and page.url == "/rules/"
    response = client.get("/fi/rules/", HTTP_ACCEPT_LANGUAGE="it")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fi"' in body and "Ohjelman säännöt" in body and "Suosittele." in body
    english = client.get("/rules/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert '<html lang="en"' in english and "Program rules" in english


def test_the_switcher_links_a_page_to_its_translations(client, rules):
    body = client.get("/rules/").content.decode()
    switcher = body.split('class="language-switcher', 1)[1].split("</nav>", 1)[0]
    assert 'href="/fi/rules/" hreflang="fi"' in switcher
    assert '<span aria-current="page" lang="en">English</span>' in switcher
    back = client.get("/fi/rules/").content.decode().split('class="language-switcher', 1)[1]
    assert 'href="/rules/" hreflang="en"' in back.split("</nav>", 1)[0]


def test_a_page_without_translations_shows_no_switcher(client, home):
    _publish(home, ProgramPage(title="Only English", slug="only-english"))
    assert "language-switcher" not in client.get("/only-english/").content.decode()


def test_a_draft_translation_is_not_linked(client, rules):
    _page, finnish = rules
    Page.objects.filter(pk=finnish.pk).update(live=False)  # a translation not published yet
    assert client.get("/fi/rules/").status_code == 404
    assert "/fi/rules/" not in client.get("/rules/").content.decode()


def test_the_picker_on_a_content_page_goes_to_its_translation(client, rules):
    response = client.post(reverse("set_language"), {"language": "fi", "next": "/rules/"})
    assert response["Location"] == "/fi/rules/"


def test_a_signed_in_user_reads_a_content_page_whole_in_its_language(client, rules, employee):
    User.objects.filter(pk=employee.pk).update(language="fi")
    client.force_login(employee)
    english = client.get("/rules/").content.decode()
    assert '<html lang="en"' in english and "Program rules" in english
    # ... while the portal's own pages follow the user's language.
    assert '<html lang="fi"' in client.get(reverse("accounts:preferences")).content.decode()


def test_menus_list_the_readers_language(client, rules):
    finnish_menu = client.get("/fi/").content.decode().split('class="subnav"')[1].split("</nav>")[0]
    english_menu = client.get("/").content.decode().split('class="subnav"')[1].split("</nav>")[0]
    assert 'href="/fi/rules/"' in finnish_menu and "Ohjelman säännöt" in finnish_menu
    assert 'href="/rules/"' in english_menu and "Ohjelman" not in english_menu


def test_search_finds_pages_in_the_readers_language(client, rules):
    client.cookies["django_language"] = "fi"
    found = client.get(reverse("cms:search"), {"q": "säännöt"}).content.decode()
    assert "/fi/rules/" in found
    client.cookies["django_language"] = "en"
    found = client.get(reverse("cms:search"), {"q": "rules"}).content.decode()
    assert "/rules/" in found and "/fi/rules/" not in found


def test_the_sitemap_lists_every_language(client, rules):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/rules/</loc>" in sitemap and "/fi/rules/</loc>" in sitemap


def test_a_restricted_page_stays_restricted_in_every_language(client, home, partner_user):
    page = _publish(
        home, ProgramPage(title="Partners only", slug="partners-only", audience="partners")
    )
    finnish = _translate(page, "fi", title="Vain kumppaneille")
    assert finnish.audience == "partners"
    employee = UserFactory()
    client.force_login(employee)
    assert client.get("/fi/partners-only/").status_code == 404
    client.force_login(partner_user)
    assert client.get("/fi/partners-only/").status_code == 200


@pytest.fixture
def agreement(home):
    page = _publish(
        home, AgreementPage(title="Agreement", slug="agreement", version=1, body="<p>Terms.</p>")
    )
    finnish = _translate(page, "fi", title="Sopimus", body="<p>Ehdot.</p>")
    return page, finnish


def test_accepting_the_agreement_in_finnish_accepts_the_version(agreement, partner_user):
    page, finnish = agreement
    with translation.override("fi"):  # the partner reads Finnish
        assert agreement_pending_for(user=partner_user).pk == finnish.pk
    with translation.override("en"):
        assert agreement_pending_for(user=partner_user).pk == page.pk
    agreement_accept(user=partner_user, page=finnish, ip_address="127.0.0.1")
    assert agreement_pending_for(user=partner_user) is None
    assert lead_submission_permission(user=partner_user).allowed


def test_the_current_version_is_the_originals_and_its_translations_share_it(
    agreement, partner_user
):
    page, finnish = agreement
    agreement_accept(user=partner_user, page=page, ip_address=None)
    page.version = 2
    page.save_revision().publish()
    with translation.override("fi"):
        # The Finnish text is still version 1's: until it is translated again, the
        # partner reads the original, and accepting the old text accepts nothing.
        pending = agreement_pending_for(user=partner_user)
        assert pending.pk == page.pk and pending.version == 2
        with pytest.raises(PermissionDenied):
            agreement_accept(user=partner_user, page=finnish, ip_address=None)
    assert agreement_pending_for(user=partner_user) is not None
    # Publishing the Finnish translation is not another new version.
    asked = Notification.objects.filter(kind="agreement_new_version").count()
    finnish.refresh_from_db()
    finnish.save_revision().publish()
    assert Notification.objects.filter(kind="agreement_new_version").count() == asked


def test_an_announcement_in_six_languages_is_announced_once(home, employee):
    User.objects.filter(pk=employee.pk).update(language="fi")
    news = _publish(home, AnnouncementIndexPage(title="News", slug="news"))
    _translate(news, "fi", title="Uutiset")
    page = _publish(news, AnnouncementPage(title="Winners", slug="winners", summary="The winners."))
    announcement_notify(page_id=page.pk)
    finnish = _translate(page, "fi", title="Voittajat", summary="Voittajat on valittu.")
    finnish.save_revision().publish()
    announcement_notify(page_id=page.pk)
    notes = Notification.objects.filter(user=employee, kind="announcement")
    assert notes.count() == 1
    # The Finnish reader was told about the Finnish page, once it existed? It did not yet:
    # they got the original, in English, at the original's address.
    assert notes.get().url == page.url


def test_an_announcement_notifies_each_reader_with_their_languages_page(home, employee):
    User.objects.filter(pk=employee.pk).update(language="fi")
    news = _publish(home, AnnouncementIndexPage(title="News", slug="news"))
    _translate(news, "fi", title="Uutiset")
    page = AnnouncementPage(title="Winners", slug="winners", summary="The winners.")
    news.add_child(instance=page)
    page.save_revision()  # a draft, translated before it goes live
    page = AnnouncementPage.objects.get(pk=page.pk)
    _translate(page, "fi", title="Voittajat", summary="Voittajat on valittu.")
    page.save_revision().publish()
    announcement_notify(page_id=page.pk)
    note = Notification.objects.get(user=employee, kind="announcement")
    assert note.url == "/fi/news/winners/" and "Voittajat" in note.title + note.body


def test_reviewers_translate_pages_and_managers_do_not(client, rules, reviewer, manager):
    page, _finnish = rules
    url = reverse("wagtail_localize:submit_page_translation", args=[page.pk])
    client.force_login(reviewer)
    form = client.get(url)
    assert form.status_code == 200 and 'name="locales"' in form.content.decode()
    client.force_login(manager)
    assert client.get(url).status_code in (302, 403)
