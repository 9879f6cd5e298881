# SPDX-License-Identifier: AGPL-3.0-or-later
"""The import rules of SPEC §15, enforced: leads publishes and others subscribe; the
lower apps (accounts, audit, notifications, events) import no higher one."""

from __future__ import annotations

import subprocess  # noqa: S404
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
