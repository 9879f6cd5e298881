# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a reader sees on a page, and which of it is still English from our own catalog."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[3] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
HIDDEN = {"script", "style", "template", "noscript", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SEEN_ATTRS = ("placeholder", "aria-label", "title", "alt")


class _Text(HTMLParser):
    """Text nodes and the attributes people read (placeholders, labels, titles), except
    inside hidden elements and inside elements marked as another language (the language
    pickers name each language in itself)."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.found: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").split("-")[0]
        skipped = tag in HIDDEN or bool(lang and lang != self.language)
        if not (self.skipping or skipped):
            self.found.extend(attrs[a] for a in SEEN_ATTRS if attrs.get(a))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        if not self.skipping:
            self.found.extend(v for a, v in attrs if a in SEEN_ATTRS and v)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.found.append(data)


def visible_texts(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


@cache
def english_patterns(language: str) -> list[tuple[str, re.Pattern, int]]:
    """Our msgids that the language translates differently, as patterns matching a whole
    text (placeholders match anything)."""
    patterns = []
    for domain in ("django", "djangojs"):
        path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
        for entry in polib.pofile(str(path)):
            msgids = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
            translations = (
                list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            )
            for msgid in msgids:
                if "<" in msgid or msgid in translations or not re.search("[A-Za-z]{3}", msgid):
                    continue
                words = " ".join(msgid.split())
                literal = PLACEHOLDER.split(words)
                parts = [re.escape(p) for p in literal]
                regex = ".+?".join(parts)
                patterns.append((msgid, re.compile(regex), len("".join(literal))))
    return patterns


@cache
def translations(language: str) -> frozenset[str]:
    """Every translated text of the language ("Note" is Italian for "Notes")."""
    found = set()
    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")):
            found.update(entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr])
    return frozenset(" ".join(t.split()) for t in found)


def untranslated(html: str, language: str) -> list[str]:
    """The texts on the page that are one of our msgids, left in English."""
    found = []
    for text in visible_texts(html, language):
        if text in translations(language):
            continue
        for msgid, pattern, literal in english_patterns(language):
            # The msgid's own words make up a good part of the text (a placeholder alone
            # matches anything: "%(n)s to %(tier)s" is not "Welcome to the program.").
            if literal >= 0.4 * len(text) and pattern.fullmatch(text):
                found.append(f"{text!r} (msgid {msgid!r})")
                break
    return found
