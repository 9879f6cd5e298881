# SPDX-License-Identifier: AGPL-3.0-or-later
"""Add the SPDX licence line to our Python, JavaScript and CSS sources (idempotent).

    python scripts/spdx_headers.py            # add it where it is missing (`make spdx`)
    python scripts/spdx_headers.py --check    # list files without it, exit 1 (`make lint`)
    python scripts/spdx_headers.py FILE...    # only these files (the pre-commit hook)

The line goes first, or after a shebang or encoding line. Empty files (package markers)
carry nothing to license and are left alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSE_ID = "AGPL-3.0-or-later"
TAG = "SPDX-License-Identifier:"
COMMENT = {
    ".py": "# {}",
    ".js": "// {}",
    ".css": "/* {} */",
}


def header_for(path: Path) -> str | None:
    template = COMMENT.get(path.suffix)
    return template.format(f"{TAG} {LICENSE_ID}") if template else None


def has_header(text: str) -> bool:
    return any(TAG in line for line in text.splitlines()[:3])


def with_header(text: str, header: str) -> str:
    """``text`` with ``header`` as its first line, or after a shebang or coding line."""
    if not text.strip() or has_header(text):
        return text
    lines = text.splitlines(keepends=True)
    at = 0
    while (
        at < len(lines)
        and at < 2
        and (lines[at].startswith("#!") or (lines[at].startswith("#") and "coding" in lines[at]))
    ):
        at += 1
    return "".join([*lines[:at], header + "\n", *lines[at:]])


def our_sources() -> list[Path]:
    """Tracked and new (not ignored) files of the kinds we license."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed if Path(name).suffix in COMMENT]


def shown(path: Path) -> str:
    """The path relative to the repository when it is inside it."""
    resolved = path.resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="only report missing headers")
    args = parser.parse_args(argv)
    paths = args.files or our_sources()
    missing = []
    for path in paths:
        header = header_for(path)
        if header is None or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        updated = with_header(text, header)
        if updated == text:
            continue
        missing.append(path)
        if not args.check:
            path.write_text(updated, encoding="utf-8")
    for path in missing:
        print(f"{'missing' if args.check else 'added'}: {shown(path)}")
    if args.check and missing:
        print(f"{len(missing)} files lack '# {TAG} {LICENSE_ID}': run `make spdx`.")
        return 1
    # As a pre-commit hook, a file that changed must be staged again: fail once.
    return 1 if missing and args.files else 0


if __name__ == "__main__":
    sys.exit(main())
