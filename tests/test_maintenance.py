# SPDX-License-Identifier: AGPL-3.0-or-later
"""The maintainers' tools: licences, SPDX headers, the lock files, the audit, releases."""

from __future__ import annotations

import hashlib
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from scripts import audit_lock, dependency_licences, spdx_headers

ROOT = Path(__file__).resolve().parent.parent


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


# --- licences ---------------------------------------------------------------------------


def test_every_locked_dependency_has_a_compatible_licence_and_the_list_is_current(capsys):
    assert dependency_licences.main(["--check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    "declared",
    [
        "GPL-2.0-only",  # cannot be combined with (A)GPLv3 code
        "SSPL-1.0",
        "BSD License; Other/Proprietary License",  # one classifier too many
        "MIT AND GPL-2.0-only",
        "UNKNOWN",
        "",
    ],
)
def test_an_incompatible_or_unknown_licence_is_refused(declared):
    assert not dependency_licences.allowed(dependency_licences.terms(declared))


@pytest.mark.parametrize(
    "declared",
    [
        "MIT License",
        "Apache-2.0 OR BSD-3-Clause",
        "GPL-2.0-only OR MIT",
        "Apache Software License; BSD License",
        "LGPL-3.0-only",
        "MPL-2.0",
    ],
)
def test_a_compatible_licence_is_allowed(declared):
    assert dependency_licences.allowed(dependency_licences.terms(declared))


def test_every_reviewed_decision_is_itself_allowed():
    for expression, why in dependency_licences.REVIEWED.values():
        assert dependency_licences.allowed(expression) and why


def test_the_licence_file_is_the_agpl():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    with (ROOT / "pyproject.toml").open("rb") as file:
        assert tomllib.load(file)["project"]["license"] == "AGPL-3.0-or-later"


# --- SPDX headers -------------------------------------------------------------------------


def test_every_source_carries_the_spdx_line(capsys):
    assert spdx_headers.main(["--check"]) == 0, capsys.readouterr().out


def test_the_spdx_line_is_added_once_after_a_shebang():
    header = spdx_headers.header_for(Path("manage.py"))
    source = "#!/usr/bin/env python\nimport os\n"
    once = spdx_headers.with_header(source, header)
    assert (
        once == "#!/usr/bin/env python\n# SPDX-License-Identifier: AGPL-3.0-or-later\nimport os\n"
    )
    assert spdx_headers.with_header(once, header) == once
    assert spdx_headers.with_header("", header) == ""  # a package marker stays empty
    assert (
        spdx_headers.header_for(Path("a.css")) == "/* SPDX-License-Identifier: AGPL-3.0-or-later */"
    )


def test_spdx_check_fails_on_a_file_without_the_line(tmp_path, capsys):
    stray = tmp_path / "stray.js"
    stray.write_text("console.log('hi');\n")
    assert spdx_headers.main(["--check", str(stray)]) == 1
    assert stray.read_text() == "console.log('hi');\n"  # --check changes nothing


# --- locked installs -----------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    return dict(audit_lock.pins(path.read_text()))


def test_every_locked_package_is_pinned_with_hashes():
    for name in ("lock.txt", "lock-dev.txt"):
        text = (ROOT / "requirements" / name).read_text()
        blocks = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2])
        assert blocks and all("==" in b and "--hash=sha256:" in b for b in blocks), name


def test_the_dev_lock_pins_the_runtime_lock_unchanged():
    runtime, dev = (_pins(ROOT / "requirements" / n) for n in ("lock.txt", "lock-dev.txt"))
    assert runtime.items() <= dev.items()
    for tool in ("mypy", "django-stubs", "djangorestframework-stubs", "celery-types", "uv"):
        assert tool in dev and tool not in runtime


def test_make_and_the_dockerfile_install_from_the_lock_with_hashes():
    dry = subprocess.run(
        ["make", "-n", "-B", "install-dev"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "pip install --quiet --require-hashes -r requirements/lock.txt" in dry
    assert "pip install --quiet --require-hashes -r requirements/lock-dev.txt" in dry
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/lock.txt" in dockerfile


# --- the audit ----------------------------------------------------------------------------

ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": ["2.0"], "withdrawn": None}


def _pypi(pages: dict[str, dict]):
    return lambda url: pages.get(url)


def test_the_audit_fails_on_a_known_vulnerability(capsys):
    fetch = _pypi({f"{audit_lock.INDEX}/pkg/1.0/json": {"vulnerabilities": [ADVISORY]}})
    findings = audit_lock.audit([("pkg", "1.0")], fetch)
    assert audit_lock.report(findings, strict=False) == 1
    assert "VULNERABLE pkg==1.0: PYSEC-2099-1 (CVE-2099-1) fixed in 2.0" in capsys.readouterr().out


def test_the_audit_ignores_a_withdrawn_advisory():
    withdrawn = {**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}
    fetch = _pypi({f"{audit_lock.INDEX}/pkg/1.0/json": {"vulnerabilities": [withdrawn]}})
    assert audit_lock.report(audit_lock.audit([("pkg", "1.0")], fetch), strict=True) == 0


def test_without_per_release_pages_the_newest_release_is_still_audited():
    project = {"info": {"version": "1.0"}, "vulnerabilities": [ADVISORY]}
    fetch = _pypi({f"{audit_lock.INDEX}/pkg/json": project})
    assert audit_lock.report(audit_lock.audit([("pkg", "1.0")], fetch), strict=False) == 1


def test_an_older_pin_that_cannot_be_audited_is_reported_and_fails_strict(capsys):
    project = {"info": {"version": "2.0"}, "vulnerabilities": []}
    fetch = _pypi({f"{audit_lock.INDEX}/pkg/json": project})
    findings = audit_lock.audit([("pkg", "1.0")], fetch)
    assert audit_lock.report(findings, strict=False) == 0
    assert "not audited" in capsys.readouterr().out
    assert audit_lock.report(findings, strict=True) == 1


# --- releases -----------------------------------------------------------------------------


def test_make_release_builds_the_image_tagged_with_the_version_and_its_lock():
    dry = subprocess.run(
        ["make", "-n", "release"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    digest = hashlib.sha256((ROOT / "requirements" / "lock.txt").read_bytes()).hexdigest()
    version = _version()
    assert (
        f"docker build --build-arg VERSION={version} --build-arg LOCK_SHA256={digest} "
        f"-t vouch:{version} ." in dry
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile
    assert 'org.vouch.lock.sha256="${LOCK_SHA256}"' in dockerfile
