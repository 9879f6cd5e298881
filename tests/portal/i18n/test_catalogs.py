# SPDX-License-Identifier: AGPL-3.0-or-later
"""Our catalogs: complete in every language, compiled without GNU gettext, and the CI gate
catches an untranslated, fuzzy or incomplete plural entry."""

from __future__ import annotations

import gettext
import shutil

import polib
import pytest

from portal.core import catalogs

LANGUAGES = ["fi", "it", "lv", "ru", "tl"]


def test_every_entry_is_translated_in_every_language():
    assert catalogs.untranslated_problems() == []


def test_both_domains_exist_for_every_language():
    files = {(p.parts[-3], p.stem) for p in catalogs.catalog_files()}
    assert files == {(lang, d) for lang in LANGUAGES for d in ("django", "djangojs")}


@pytest.fixture
def locale_copy(tmp_path):
    target = tmp_path / "locale"
    shutil.copytree(catalogs.LOCALE_DIR, target, ignore=shutil.ignore_patterns("*.mo", "*.md"))
    return target


def test_catalogs_compile_in_python(locale_copy):
    written = catalogs.compile_all(locale_copy)
    assert len(written) == 10
    finnish = gettext.translation("django", str(locale_copy), languages=["fi"])
    assert finnish.gettext("Log out") not in ("", "Log out")
    russian = gettext.translation("djangojs", str(locale_copy), languages=["ru"])
    assert [russian.ngettext("day", "days", n) for n in (1, 2, 5)] == ["день", "дня", "дней"]
    assert catalogs.compile_all(locale_copy) == []  # nothing changed: nothing rewritten


def _edit(path, change):
    po = polib.pofile(str(path))
    change(po)
    po.save(str(path))


def test_the_gate_reports_untranslated_fuzzy_and_missing_plurals(locale_copy):
    finnish = locale_copy / "fi" / "LC_MESSAGES" / "django.po"
    latvian = locale_copy / "lv" / "LC_MESSAGES" / "djangojs.po"

    def untranslate(po):
        po.find("Log out").msgstr = ""
        po.find("Settings").flags.append("fuzzy")

    def drop_a_form(po):
        po.find("day").msgstr_plural[2] = ""

    _edit(finnish, untranslate)
    _edit(latvian, drop_a_form)
    problems = catalogs.untranslated_problems(locale_copy)
    assert len(problems) == 3
    assert any("untranslated: 'Log out'" in p for p in problems)
    assert any("fuzzy: 'Settings'" in p for p in problems)
    assert any("plural form is missing: 'day'" in p for p in problems)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed")
def test_the_gate_reports_a_broken_placeholder(locale_copy):
    italian = locale_copy / "it" / "LC_MESSAGES" / "django.po"

    def break_it(po):
        po.find("Thank you for your referral #%(id)s").msgstr = "Grazie per la tua segnalazione"

    assert catalogs.format_problems(locale_copy) == []
    _edit(italian, break_it)
    assert catalogs.format_problems(locale_copy)
