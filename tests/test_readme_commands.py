# SPDX-License-Identifier: AGPL-3.0-or-later
"""The README's shell snippets, run as a newcomer would: in a fresh clone, after
`PORT=<port> make run`, outside `make`.

Every ```sh block of README.md is either run here or named in NOT_RUN with the reason, so
a new snippet cannot slip by untested. Slow (the demo is migrated and seeded in the clone:
a few minutes on a busy machine), so it is one test that does everything once."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Snippets not run here, each by a phrase it contains, with why.
NOT_RUN = {
    "make test   #": "the test suite itself",
    "docker compose up": "needs docker and builds an image",
}


def readme_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def test_every_readme_snippet_is_run_or_named_as_not_run():
    snippets = readme_snippets()
    assert len(snippets) >= 4
    for snippet in snippets:
        skipped = [phrase for phrase in NOT_RUN if phrase in snippet]
        runnable = "create_api_token" in snippet or "check --deploy" in snippet
        assert skipped or runnable, f"README snippet neither run nor skipped:\n{snippet}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    """What a newcomer's shell has: none of the test run's settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(extra)
    return env


def _wait_for_banner(process: subprocess.Popen, port: int, timeout: float) -> str:
    """Read `make run`'s output until the server answers; return what it printed."""
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            reader.join(5)
            pytest.fail(f"make run stopped ({process.returncode}):\n{''.join(output)}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            pass  # it answers (503 without Redis is fine here)
        except OSError:
            time.sleep(2)
            continue
        time.sleep(1)  # the banner is printed before the server binds
        return "".join(output)
    pytest.fail(f"make run did not serve within {timeout}s:\n{''.join(output)}")


def _log_in(port: int, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    opener.open(f"{base}/accounts/login/")
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"login": email, "password": "vouch-demo", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request)
    return opener


@pytest.mark.skipif(not shutil.which("make") or not shutil.which("git"), reason="needs make, git")
def test_a_fresh_clone_served_on_another_port_links_there_and_readme_commands_work(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs the project's .venv (make install-dev)")
    clone = tmp_path / "vouch"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    # The clone shares this checkout's virtualenv (installing another takes minutes and the
    # network); `-o` keeps make from reinstalling into it.
    (clone / ".venv").symlink_to((ROOT / ".venv").resolve())
    port = _free_port()
    process = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run"],
        cwd=clone,
        env=_clean_env(PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        printed = _wait_for_banner(process, port, timeout=900)
        # Quiet: the address and the logins are in the last lines, not lost among 2,000.
        assert len(printed.splitlines()) < 40, printed
        assert f"Vouch is at http://127.0.0.1:{port}/" in printed
        assert "employee@demo.vouch.test" in printed and "vouch-demo" in printed

        # The referral link (and the QR code drawn from it) point at the port served.
        share = _log_in(port, "employee@demo.vouch.test").open(
            f"http://127.0.0.1:{port}/leads/link/"
        )
        page = share.read().decode()
        assert f"http://127.0.0.1:{port}/r/" in page
        assert "127.0.0.1:8000" not in page

        # The README's API snippet, verbatim but for the port (the demo already runs).
        (api_snippet,) = [s for s in readme_snippets() if "create_api_token" in s]
        script = "\n".join(
            line for line in api_snippet.splitlines() if not line.startswith("make run")
        ).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=clone,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        compact = result.stdout.replace(" ", "")
        assert '"status":"submitted","source":"api"' in compact  # the lead, submitted
        assert '"points"' in result.stdout

        # The production check, verbatim, in the same clone (the environment wins over
        # .env.local, which says DEBUG=true).
        (deploy_snippet,) = [s for s in readme_snippets() if "check --deploy" in s]
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", deploy_snippet],
            cwd=clone,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues (0 silenced)" in result.stdout

        # Other README commands outside make: a superuser (non-interactive form).
        result = subprocess.run(
            [".venv/bin/python", "manage.py", "createsuperuser", "--no-input"],
            cwd=clone,
            env=_clean_env(
                DJANGO_SUPERUSER_EMAIL="root@demo.vouch.test",
                DJANGO_SUPERUSER_PASSWORD="a-long-demo-password",
            ),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "Superuser created" in result.stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
