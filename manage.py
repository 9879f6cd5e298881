#!/usr/bin/env python
# SPDX-License-Identifier: AGPL-3.0-or-later
import os
import sys
from pathlib import Path

# `make run` writes the demo's settings here (DEBUG, SITE_URL, ...), so the README's
# `manage.py` commands work in the same checkout without `make`. Variables already in the
# environment win; the file is ignored by git and kept out of the container image.
LOCAL_ENV = Path(__file__).resolve().parent / ".env.local"


def load_local_env(path: Path = LOCAL_ENV) -> None:
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def main() -> None:
    load_local_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
