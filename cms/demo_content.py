# SPDX-License-Identifier: AGPL-3.0-or-later
"""The default page tree: a real program's site, written for people who will read it, in
every language of the portal (texts in ``portal.demo_texts``).

Created by ``seed_demo`` (and safe to run again: existing pages are left as they are).
Translations go through wagtail-localize, as an editor's would: the English page is the
translation source, each language's texts become its string translations, and the
translated page is published from them, so editors can go on editing them in the admin.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from portal.demo_texts import TRANSLATIONS, texts

from .models import (
    AgreementPage,
    AnnouncementIndexPage,
    AnnouncementPage,
    ArticlePage,
    FAQPage,
    GuideIndexPage,
    HomePage,
    ProgramPage,
    RewardCatalogPage,
)


def _text(html: str) -> dict:
    return _block("text", html)


def _block(kind: str, value=None, **fields) -> dict:
    return {"type": kind, "value": fields if value is None else value, "id": str(uuid4())}


def _cta(t: dict) -> dict:
    return _block(
        "call_to_action",
        heading=t["cta_heading"],
        text=t["cta_text"],
        button_label=t["cta_button"],
        page=None,
        url="/leads/new/",
    )


def _pages(language: str, *, customers, resellers, month: int) -> list[tuple[str, str, Page]]:
    """(key, parent key, unsaved page) for the whole tree, in one language. Every language
    builds the same structure, so a page's texts line up with the original's."""
    t = texts(language).PAGES
    announcement = texts(language).announcement(month)
    english_month = texts("en").MONTHS[month - 1]
    return [
        (
            "program",
            "home",
            ProgramPage(
                title=t["program"]["title"],
                slug="program",
                show_in_menus=True,
                search_description=t["program"]["search_description"],
                program=customers,
                intro=t["program"]["intro"],
                body=[
                    _text(t["program"]["rules"]),
                    _block("my_progress", program=""),
                    _cta(t["program"]),
                ],
            ),
        ),
        (
            "partner_program",
            "home",
            ProgramPage(
                title=t["partner_program"]["title"],
                slug="partner-program",
                show_in_menus=True,
                audience="partners",
                search_description=t["partner_program"]["search_description"],
                program=resellers,
                intro=t["partner_program"]["intro"],
                body=[_text(t["partner_program"]["rules"])],
            ),
        ),
        (
            "guides",
            "home",
            GuideIndexPage(
                title=t["guides"]["title"],
                slug="guides",
                show_in_menus=True,
                search_description=t["guides"]["search_description"],
                intro=t["guides"]["intro"],
            ),
        ),
        (
            "good_referrals",
            "guides",
            ArticlePage(
                title=t["good_referrals"]["title"],
                slug="good-referrals",
                summary=t["good_referrals"]["summary"],
                body=[
                    _text(t["good_referrals"]["body"]),
                    _block(
                        "quote",
                        quote=t["good_referrals"]["quote"],
                        attribution=t["good_referrals"]["attribution"],
                    ),
                    _cta(t["good_referrals"]),
                ],
            ),
        ),
        (
            "referral_link",
            "guides",
            ArticlePage(
                title=t["referral_link"]["title"],
                slug="referral-link",
                audience="participants",
                summary=t["referral_link"]["summary"],
                body=[
                    _text(t["referral_link"]["body"]),
                    _block("share", text=t["referral_link"]["share"]),
                    _text(t["referral_link"]["standing"]),
                    _block(
                        "leaderboard",
                        title=t["referral_link"]["board_title"],
                        scope="everyone",
                        metric="points",
                        period="month",
                        top_n=5,
                    ),
                ],
            ),
        ),
        (
            "faq",
            "home",
            FAQPage(
                title=t["faq"]["title"],
                slug="faq",
                show_in_menus=True,
                search_description=t["faq"]["search_description"],
                intro=t["faq"]["intro"],
                questions=[
                    _block("question", question=q, answer=a) for q, a in t["faq"]["questions"]
                ],
            ),
        ),
        (
            "catalog",
            "home",
            RewardCatalogPage(
                title=t["catalog"]["title"],
                slug="reward-catalog",
                show_in_menus=True,
                search_description=t["catalog"]["search_description"],
                intro=t["catalog"]["intro"],
            ),
        ),
        (
            "agreement",
            "home",
            AgreementPage(
                title=t["agreement"]["title"],
                slug="partner-agreement",
                audience="partners",
                show_in_menus=True,
                version=1,
                body=t["agreement"]["terms"],
            ),
        ),
        (
            "news",
            "home",
            AnnouncementIndexPage(
                title=t["news"]["title"],
                slug="news",
                show_in_menus=True,
                search_description=t["news"]["search_description"],
                intro=t["news"]["intro"],
            ),
        ),
        (
            "announcement",
            "news",
            AnnouncementPage(
                title=announcement["title"],
                slug=f"top-referrers-of-{english_month.lower()}",
                summary=announcement["summary"],
                snapshot_scope="everyone",
                snapshot_metric="points",
                snapshot_period="month",
                snapshot_previous_period=True,
                snapshot_top_n=10,
                body=[_text(announcement["body"])],
            ),
        ),
    ]


def _home(language: str, home: HomePage) -> HomePage:
    """The home page's texts in one language (an unsaved copy for translations)."""
    t = texts(language).PAGES["home"]
    shown = home if language == "en" else HomePage(slug=f"{home.slug}-{language}")
    shown.title = t["title"]
    shown.headline = t["headline"]
    shown.call_to_action = t["call_to_action"]
    shown.intro = t["intro"]
    shown.body = [_block(b["type"], b["value"]) for b in home.body.raw_data]
    return shown


def _add(parent: Page, page: Page) -> Page:
    """Add a child unless one with the same slug exists, and publish it."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def site_tree_ensure() -> HomePage:
    from leaderboard.models import Contest
    from portal.leads.models import Program

    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    if home is None:
        raise RuntimeError("The cms migrations create the home page; run migrate first.")
    customers = Program.objects.filter(slug="customer-referrals").first()
    resellers = Program.objects.filter(slug="reseller-deals").first()
    if not home.body:
        _home("en", home)
        contest = Contest.objects.filter(closed_at__isnull=True).order_by("ends_at").first()
        home.body = (
            [_block("contest_countdown", contest=str(contest.pk))] if contest is not None else []
        )
        home.save_revision().publish()

    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    pages = {"home": home}
    for key, parent, page in _pages(
        "en", customers=customers, resellers=resellers, month=last_month.month
    ):
        pages[key] = _add(pages[parent], page)
    for language in TRANSLATIONS:
        page_translate(home, language, _home(language, home))
        shadows = _pages(language, customers=customers, resellers=resellers, month=last_month.month)
        for key, _parent, shadow in shadows:
            page_translate(pages[key], language, shadow)
    return home


def page_translate(page: Page, language: str, shadow: Page) -> Page:
    """Translate ``page`` into ``language`` through wagtail-localize, from ``shadow``: an
    unsaved page of the same type and structure with every text in that language. Each of
    the page's strings gets the shadow's string at the same position as its translation;
    then the translation is published. A page translated before is left as it is."""
    from wagtail_localize.models import (
        String,
        StringTranslation,
        Translation,
        TranslationContext,
        TranslationSource,
    )
    from wagtail_localize.segments import StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    locale = Locale.objects.get(language_code=language)
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.live:
        return existing.specific
    page = page.specific
    source, _created = TranslationSource.get_or_create_from_instance(page)
    originals = [s for s in extract_segments(page) if isinstance(s, StringSegmentValue)]
    translated = [s for s in extract_segments(shadow) if isinstance(s, StringSegmentValue)]
    if len(originals) != len(translated):
        raise ValueError(
            f"{language} texts of {page.slug!r} do not line up with the original: "
            f"{len(translated)} strings for {len(originals)}"
        )
    for original, text in zip(originals, translated, strict=True):
        string = String.from_value(source.locale, original.string)
        context, _created = TranslationContext.objects.get_or_create(
            object_id=source.object_id, path=original.path
        )
        StringTranslation.objects.update_or_create(
            translation_of=string,
            locale=locale,
            context=context,
            defaults={"data": text.string.data, "translation_type": "manual"},
        )
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    # Saved as a draft, then published at once: wagtail-localize would publish after the
    # commit, from revisions taken before the pages below existed.
    translation.save_target(publish=False)
    translated = page.get_translation(locale).specific
    translated.get_latest_revision().publish()
    return translated


def demo_agreements_accept(users) -> None:
    """The demo's partners have accepted the agreement, so they can refer at once."""
    from .agreements import agreement_accept

    page = AgreementPage.objects.live().filter(locale=Locale.get_default()).first()
    if page is None:
        return
    for user in users:
        agreement_accept(user=user, page=page, ip_address="127.0.0.1")
