# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which Vouch is running: one answer for ``/healthz``, the admin footer and releases."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@cache
def vouch_version() -> str:
    """The version in the ``pyproject.toml`` beside the code (a checkout, or the container
    image), which stays the truth when an editable install's metadata is older; else the
    installed package's metadata."""
    try:
        with PYPROJECT.open("rb") as file:
            project = tomllib.load(file).get("project", {})
    except FileNotFoundError:
        project = {}
    if project.get("name") == "vouch" and project.get("version"):
        return str(project["version"])
    try:
        return metadata.version("vouch")
    except metadata.PackageNotFoundError:
        return "unknown"
