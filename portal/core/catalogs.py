# SPDX-License-Identifier: AGPL-3.0-or-later
"""Our message catalogs: compiled in Python (no GNU gettext needed to build or run) and
checked for CI (every entry translated, nothing fuzzy, nothing stale against the code).

    python -m portal.core.catalogs compile   # .po -> .mo where the .mo is missing or older
    python -m portal.core.catalogs check     # CI gate: exits 1 and lists every problem

``check`` runs ``msgfmt --check`` on each catalog, re-extracts the strings from a copy of the source tree with the same
``makemessages`` options as ``make messages`` (that step needs GNU gettext) and compares
the msgid sets with the committed catalogs. This module imports no Django settings, so a
Dockerfile can compile before any environment exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ("fi", "it", "lv", "ru", "tl")
DOMAINS = ("django", "djangojs")
# The options `make messages` uses; the check re-extracts with exactly these.
IGNORE = (".venv", "tests", "bench", "staticfiles", "media", "node_modules")
MAKEMESSAGES_OPTIONS = [
    *[arg for lang in LANGUAGES for arg in ("-l", lang)],
    "--no-obsolete",
    "--add-location=file",
    *[arg for pattern in IGNORE for arg in ("-i", pattern)],
]


def catalog_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(
        path
        for lang in LANGUAGES
        for domain in DOMAINS
        if (path := locale_dir / lang / "LC_MESSAGES" / f"{domain}.po").exists()
    )


def compile_all(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Write the .mo next to each .po that changed since it was last compiled."""
    written = []
    for po_path in catalog_files(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # Fuzzy and untranslated entries stay out of the .mo, as with msgfmt.
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _show(key: tuple[str, str, str]) -> str:
    context, msgid, _plural = key
    text = msgid if len(msgid) <= 70 else msgid[:67] + "..."
    return f"[{context}] {text!r}" if context else repr(text)


def untranslated_problems(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Entries that are untranslated, fuzzy, or miss a plural form."""
    problems = []
    for po_path in catalog_files(locale_dir):
        name = po_path.relative_to(locale_dir.parent)
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{name}: fuzzy: {_show(_key(entry))}")
            elif entry.msgid_plural:
                if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                    problems.append(f"{name}: a plural form is missing: {_show(_key(entry))}")
            elif not entry.msgstr:
                problems.append(f"{name}: untranslated: {_show(_key(entry))}")
    return problems


def format_problems(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """GNU msgfmt's checks: placeholders, plural forms and headers agree with the msgids."""
    if shutil.which("msgfmt") is None:
        return ["GNU gettext (msgfmt) is not installed: cannot check the catalogs' formats"]
    problems: list[str] = []
    for po_path in catalog_files(locale_dir):
        result = subprocess.run(  # noqa: S603 - a fixed program and our own files
            ["msgfmt", "--check", "-o", os.devnull, str(po_path)],  # noqa: S607
            capture_output=True,
            text=True,
        )
        if result.returncode:
            problems.extend(line for line in result.stderr.splitlines() if "warning" not in line)
    return problems


def _msgids(po_path: Path) -> set[tuple[str, str, str]]:
    if not po_path.exists():
        return set()
    return {_key(e) for e in polib.pofile(str(po_path)) if not e.obsolete}


def stale_problems(locale_dir: Path = LOCALE_DIR, python: str = sys.executable) -> list[str]:
    """Re-extract into a copy of the source tree and compare the msgid sets."""
    if shutil.which("xgettext") is None:
        return ["GNU gettext (xgettext) is not installed: cannot check the catalogs are current"]
    problems = []
    with tempfile.TemporaryDirectory(prefix="vouch-messages-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(*IGNORE, ".git", "__pycache__", "*.mo", "test-artifacts"),
        )
        env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings.base"}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        for domain in DOMAINS:
            subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                [python, "manage.py", "makemessages", "-d", domain, *MAKEMESSAGES_OPTIONS],
                cwd=copy,
                env=env,
                check=True,
                capture_output=True,
            )
        for lang in LANGUAGES:
            for domain in DOMAINS:
                relative = Path(lang) / "LC_MESSAGES" / f"{domain}.po"
                fresh = _msgids(copy / "locale" / relative)
                committed = _msgids(locale_dir / relative)
                for key in sorted(fresh - committed):
                    problems.append(
                        f"locale/{relative}: missing (run `make messages`): {_show(key)}"
                    )
                for key in sorted(committed - fresh):
                    problems.append(f"locale/{relative}: no longer in the code: {_show(key)}")
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "compile":
        written = compile_all(force="--force" in argv)
        print(f"catalogs: {len(written)} compiled, {len(catalog_files()) - len(written)} current")
        return 0
    if command == "check":
        problems = untranslated_problems() + format_problems() + stale_problems()
        for problem in problems:
            print(problem)
        if problems:
            print(f"catalogs: {len(problems)} problems", file=sys.stderr)
            return 1
        counts = ", ".join(
            f"{lang} {sum(len(_msgids(p)) for p in catalog_files() if p.parts[-3] == lang)}"
            for lang in LANGUAGES
        )
        print(f"catalogs: complete and current ({counts} entries)")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
