# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def test_healthz_reports_the_version_in_pyproject(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["version"] == pyproject_version()


def test_the_version_is_semantic():
    major, minor, patch = pyproject_version().split(".")
    assert all(part.isdecimal() and part.isascii() for part in (major, minor, patch))


@pytest.mark.django_db
def test_the_admin_footer_shows_the_version(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert f'<footer class="vouch-admin-footer">Vouch {pyproject_version()}</footer>' in (
        response.content.decode()
    )


def test_the_changelog_has_a_section_for_this_version_and_unreleased():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert f"## [{pyproject_version()}] - " in changelog
