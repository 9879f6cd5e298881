# SPDX-License-Identifier: AGPL-3.0-or-later
"""Known vulnerabilities in the locked packages, from PyPI's advisory data.

    python scripts/audit_lock.py requirements/lock-dev.txt [--strict]

PyPI publishes the advisories (OSV) that affect a release in its JSON API: pip-audit's
PyPI service reads ``/pypi/<name>/<version>/json``. Where only the project endpoint
``/pypi/<name>/json`` answers (this project's CI reaches PyPI through a registry gateway
that serves no per-release pages), the advisories listed there are those of the newest
release, so a pin on the newest release is still audited; a pin on an older release is
reported as not audited (``--strict`` fails on it). Any advisory that is not withdrawn
fails the run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

INDEX = "https://pypi.org/pypi"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")

Fetch = Callable[[str], "dict | None"]


@dataclass
class Finding:
    name: str
    version: str
    audited: bool = True
    advisories: list[dict] = field(default_factory=list)


def pins(lock_text: str) -> list[tuple[str, str]]:
    """``name==version`` lines of a pip requirements file, in order."""
    found = []
    for line in lock_text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            found.append((match.group(1).lower(), match.group(2)))
    return found


def fetch_json(url: str, attempts: int = 3) -> dict | None:
    """The JSON document at ``url``, or None when PyPI has no such page. A network error
    is tried again twice, a second apart, before it stops the audit."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (https)
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            if exc.code < 500 or attempt == attempts:
                raise
        except (urllib.error.URLError, TimeoutError):
            if attempt == attempts:
                raise
        time.sleep(1)
    return None


def audit_one(name: str, version: str, fetch: Fetch) -> Finding:
    release = fetch(f"{INDEX}/{name}/{version}/json")
    if release is None:
        project = fetch(f"{INDEX}/{name}/json")
        if project is None:
            raise SystemExit(f"{name} is not on PyPI")
        if project["info"]["version"] != version:
            return Finding(name, version, audited=False)
        release = project
    advisories = [v for v in release.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return Finding(name, version, advisories=advisories)


def audit(pinned: Iterable[tuple[str, str]], fetch: Fetch = fetch_json) -> list[Finding]:
    pinned = list(pinned)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda pin: audit_one(pin[0], pin[1], fetch), pinned))


def report(findings: list[Finding], *, strict: bool) -> int:
    vulnerable = [f for f in findings if f.advisories]
    unaudited = [f for f in findings if not f.audited]
    for finding in vulnerable:
        for advisory in finding.advisories:
            fixed = ", ".join(advisory.get("fixed_in") or []) or "no fix yet"
            aliases = ", ".join(advisory.get("aliases") or [])
            print(
                f"VULNERABLE {finding.name}=={finding.version}: {advisory['id']}"
                f" ({aliases}) fixed in {fixed}"
            )
    if unaudited:
        names = ", ".join(f"{f.name}=={f.version}" for f in unaudited)
        print(
            f"not audited (pinned below the newest release, and PyPI's per-release "
            f"pages are out of reach): {names}"
        )
    print(
        f"audited {len(findings) - len(unaudited)} of {len(findings)} locked packages: "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable or (strict and unaudited) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock_files", nargs="+", type=Path)
    parser.add_argument("--strict", action="store_true", help="fail on packages not audited")
    args = parser.parse_args(argv)
    pinned = sorted({pin for path in args.lock_files for pin in pins(path.read_text())})
    return report(audit(pinned), strict=args.strict)


if __name__ == "__main__":
    sys.exit(main())
