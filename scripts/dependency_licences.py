# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every locked dependency's licence, checked against what Vouch's AGPL-3.0-or-later allows.

    python scripts/dependency_licences.py            # rewrite THIRD-PARTY-LICENSES.md
    python scripts/dependency_licences.py --check    # fail on an incompatible licence or a
                                                     # stale list (`make lint`, CI)

The licences are read by pip-licenses from the installed packages (``make install-dev``
installs exactly the locked set). A declared licence is an SPDX expression or a list of
trove classifiers; classifiers are normalised to SPDX names. ``A OR B`` needs one side
allowed, ``A AND B`` (or several classifiers) needs all. A package whose metadata says
too little or too much is decided in REVIEWED, after reading its licence file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
LOCK_DEV = ROOT / "requirements" / "lock-dev.txt"
LIST = ROOT / "THIRD-PARTY-LICENSES.md"

# Licences whose code may be combined with AGPL-3.0-or-later code and conveyed under it
# (the FSF's list of GPLv3-compatible licences; AGPLv3 section 13 admits GPLv3 code).
ALLOWED = {
    "0BSD",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-2.0",
    "BSD",  # the "BSD License" classifier: the 2- or 3-clause text
    "BSD-2-Clause",
    "BSD-3-Clause",
    "CC0-1.0",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ISC",
    "LGPL-2.0-or-later",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MIT-CMU",
    "MPL-2.0",
    "PSF-2.0",
    "Python-2.0",
    "TCL",
    "Unlicense",
    "ZPL-2.1",
    "Zlib",
}
CLASSIFIERS = {
    "Apache Software License": "Apache-2.0",
    "BSD License": "BSD",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "ISC License (ISCL)": "ISC",
    "MIT License": "MIT",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zope Public License": "ZPL-2.1",
}
# Decided by reading the package's licence file: (SPDX expression, why).
REVIEWED = {
    "axe-playwright-python": (
        "MIT",
        "LICENSE is MIT (no licence metadata); the bundled axe-core script is MPL-2.0, test only",
    ),
    "qrcode": ("BSD-3-Clause", "LICENSE is BSD-3-Clause; a stray 'Other/Proprietary' classifier"),
    "text-unidecode": (
        "GPL-2.0-or-later",
        "LICENSE.txt: 'GPL or GPLv2+' or the Artistic License; we take GPLv2+",
    ),
}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def terms(declared: str) -> str:
    """An SPDX expression for what a package declares (classifiers joined with AND)."""
    parts = [part.strip() for part in declared.split(";") if part.strip()]
    return " AND ".join(CLASSIFIERS.get(part, part) for part in parts)


def allowed(expression: str) -> bool:
    """``A OR B``: one side allowed; ``A AND B``: every part allowed. No parentheses are
    used by our dependencies; an expression with them is not understood, so refused."""
    if "(" in expression or not expression.strip():
        return False
    return any(
        all(part.strip() in ALLOWED for part in alternative.split(" AND "))
        for alternative in expression.split(" OR ")
    )


@dataclass(frozen=True)
class Dependency:
    name: str
    version: str
    declared: str
    expression: str
    used: str  # "runtime" or "dev"
    note: str = ""

    @property
    def compatible(self) -> bool:
        return allowed(self.expression)


def installed_licences() -> dict[str, tuple[str, str]]:
    """name -> (version, declared licence) of every installed package, from pip-licenses."""
    output = subprocess.run(
        [sys.executable, "-m", "piplicenses", "--from=mixed", "--format=json", "--with-system"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {normalise(p["Name"]): (p["Version"], p["License"]) for p in json.loads(output)}


def dependencies() -> list[Dependency]:
    runtime, everything = locked(LOCK), locked(LOCK_DEV)
    installed = installed_licences()
    found = []
    for name, version in sorted(everything.items()):
        have, declared = installed.get(name, (None, ""))
        if have != version:
            raise SystemExit(
                f"{name}=={version} is locked but {have} is installed: make install-dev"
            )
        expression, note = REVIEWED.get(name, (terms(declared), ""))
        used = "runtime" if name in runtime else "dev"
        found.append(Dependency(name, version, declared, expression, used, note))
    return found


def render(deps: list[Dependency]) -> str:
    lines = [
        "# Third-party licences",
        "",
        "Every package in the lock files (`requirements/`), with the licence it declares and",
        "the terms under which Vouch (AGPL-3.0-or-later) uses it. Generated by",
        "`make licences` from the installed locked set; CI fails when this list is stale or",
        "a licence is not compatible (`scripts/dependency_licences.py` holds the rules).",
        "",
        "| package | version | used at | declared licence | taken as |",
        "|---|---|---|---|---|",
    ]
    for d in deps:
        taken = d.expression + (f" ({d.note})" if d.note else "")
        cells = [d.name, d.version, d.used, d.declared, taken]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    deps = dependencies()
    refused = [d for d in deps if not d.compatible]
    for d in refused:
        print(f"INCOMPATIBLE {d.name}=={d.version} ({d.used}): {d.declared!r} -> {d.expression}")
    text = render(deps)
    if args.check:
        stale = not LIST.is_file() or LIST.read_text() != text
        if stale:
            print(f"{LIST.name} does not match the lock files: run `make licences`.")
        print(f"{len(deps)} locked packages, {len(refused)} with an incompatible licence")
        return 1 if refused or stale else 0
    LIST.write_text(text)
    print(f"wrote {LIST.name}: {len(deps)} packages, {len(refused)} incompatible")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
