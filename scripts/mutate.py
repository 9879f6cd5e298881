# SPDX-License-Identifier: AGPL-3.0-or-later
"""`make mutate`: mutation testing (mutmut) over the modules that hold the money,
permission and privacy rules, each against only its own tests, on SQLite.

    make mutate                       every module below, one after the other
    make mutate MODULES="signing"     one (or a few) while developing

Each module is mutated in its own copy of the work tree under .cache/mutate/<module>/
(mutmut reads its settings from the pyproject.toml there), so runs never touch the work
tree. With REDIS_URL set (as in CI) the board module's tests run against Redis too, each
session under its own key prefix. Progress goes to .cache/mutate/<module>.log. Prints the score
per module and overall, and every surviving mutant that ``mutation-equivalents.txt`` does
not list as equivalent (one per line: the mutant's name, then the reason). Exits non-zero
below ``--threshold`` (90 %).

Time is the CPU-seconds of the sessions (printed per module: the figure that does not
depend on what else the machine runs). What keeps it low: sessions fork from a process
that already loaded Django's URLconf; each runs first the tests that killed other mutants
of the same function, then the cheapest (set-up included), and stops at the first failure;
modules other than the boards leave Redis out; accounts_selectors leaves out the demo-seed
tests. A surviving mutant still runs every test that reaches its function.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "mutate"
EQUIVALENTS = ROOT / "mutation-equivalents.txt"

# module name -> (files mutated, tests that judge them)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "signing": (
        ["portal/webhooks/signing.py"],
        ["tests/portal/webhooks/test_signing.py"],
    ),
    "display": (
        ["portal/accounts/display.py"],
        ["tests/portal/accounts/test_display.py"],
    ),
    "board_visibility": (
        ["leaderboard/selectors.py"],
        [
            # Every board test but test_live_socket.py: it starts its own Redis server,
            # which fails under mutmut's forked sessions.
            *(
                f"tests/leaderboard/{name}.py"
                for name in (
                    "test_board_audience",
                    "test_board_events",
                    "test_board_pages",
                    "test_board_read",
                    "test_board_visibility",
                    "test_boards_redis",
                    "test_contest_formats",
                    "test_ranking",
                    "test_tv_mode",
                )
            ),
            "tests/portal/hardening/test_board_access.py",
            "tests/portal/hardening/test_person_display.py",
        ],
    ),
    "accounts_selectors": (
        ["portal/accounts/selectors.py"],
        [
            # Not test_seed_demo.py: its three tests build the whole demo (about 7 s each)
            # and reach every role check, so each surviving mutant there ran them all.
            *(
                f"tests/portal/accounts/{name}.py"
                for name in (
                    "test_backends",
                    "test_display",
                    "test_invitations",
                    "test_login_signup",
                    "test_organisations",
                    "test_personal_data",
                    "test_selectors",
                    "test_staff_areas",
                )
            ),
        ],
    ),
    "leads_selectors": (
        ["portal/leads/selectors.py"],
        ["tests/portal/leads"],
    ),
    # Money: the tests that exercise these files' rules and records. Views, goals and the
    # confirmation pages are left out (every surviving mutant runs every test that reaches
    # its function); so is test_batches.py, whose statement test needs the compiled
    # catalogs that the work copy leaves out (*.mo).
    "payouts": (
        ["portal/payouts/services.py", "portal/payouts/batches.py", "portal/payouts/selectors.py"],
        [
            "tests/portal/payouts/test_commission_records.py",
            "tests/portal/payouts/test_reversal_records.py",
            "tests/portal/payouts/test_batch_rules.py",
            "tests/portal/payouts/test_payout_reads.py",
            "tests/portal/payouts/test_commissions.py",
            "tests/portal/payouts/test_money_rules.py",
            "tests/portal/payouts/test_exact_money.py",
            "tests/portal/payouts/test_checks_first.py",
        ],
    ),
    "rewards": (
        [
            "portal/rewards/services.py",
            "portal/rewards/redemptions.py",
            "portal/rewards/selectors.py",
        ],
        [
            "tests/portal/rewards/test_points_records.py",
            "tests/portal/rewards/test_redemption_rules.py",
            "tests/portal/rewards/test_reward_reads.py",
            "tests/portal/rewards/test_ledger.py",
            "tests/portal/rewards/test_tiers_badges.py",
            "tests/portal/rewards/test_redemptions.py",
            "tests/portal/rewards/test_stock.py",
            "tests/portal/rewards/test_reward_kinds.py",
        ],
    ),
}

# The modules judged against Redis too when REDIS_URL is set (the boards' store). Elsewhere
# the tests' board pushes and socket messages are incidental: they go to the embedded store
# and layer, and a session spends no time waiting on sockets.
REDIS_MODULES = {"board_visibility"}

# Copied into each module's work copy (mutmut copies the sources and tests/ itself).
COPY = ["portal", "leaderboard", "cms", "templates", "locale", "static", "manage.py"]
# The SQLite test database is migrated once per run (TEMPLATE_DB); each pytest session
# (one per mutant) works on its own copy (scripts/mutate_conftest.py), so mutants can run
# side by side (--max-children).
# Per session, pytest's own bookkeeping cost more than most mutants' tests: its
# unraisable-exception check collects garbage over the whole inherited heap at exit, and
# assertion rewriting scans every installed package. Neither decides pass or fail (a failed
# assert still fails, only with a shorter message); conftest freezes the inherited heap.
PYTEST_ARGS = [
    "-m",
    "not hypothesis and not browser",
    "-q",
    "-x",
    "-p",
    "no:unraisableexception",
    "--assert=plain",
    # It judges a query count, not a rule (and its count depends on Redis being there).
    "--deselect",
    "tests/portal/leads/test_views.py::test_lists_run_a_bounded_number_of_queries",
]
TEMPLATE_DB = WORK / "template.sqlite3"


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _prepare(name: str) -> Path:
    files, tests = MODULES[name]
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for item in COPY + ["tests"]:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, work / item, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, work / item)
    # The catalogs, compiled from the copied .po files (.mo files are not committed): the
    # tests of Finnish pages and messages need them.
    from portal.core.catalogs import compile_all

    compile_all(work / "locale", force=True)
    # The project's pytest settings, plus mutmut's for this module.
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject += (
        "\n[tool.mutmut]\n"
        'source_paths = ["portal", "leaderboard"]\n'
        f"only_mutate = {_toml_list(files)}\n"
        f"also_copy = {_toml_list(COPY + ['conftest.py'])}\n"
        f"pytest_add_cli_args = {_toml_list(PYTEST_ARGS)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        "use_git_change_detection = false\n"
        # A session's own start-up (fork, copy of the database) is not in mutmut's
        # estimate; on a busy machine the default 1 s let slow sessions count as kills.
        "timeout_constant = 3.0\n"
    )
    (work / "pyproject.toml").write_text(pyproject)
    shutil.copy2(ROOT / "scripts" / "mutate_conftest.py", work / "conftest.py")
    return work


def _migrations_digest() -> str:
    """What the template database depends on: every migration file (and Django's)."""
    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(ROOT.glob("*/**/migrations/*.py")):
        if ".cache" not in path.parts and ".venv" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


def _copies_prefix() -> str:
    """Where each session's copy of the template goes (its pid appended): in memory where
    the system has a tmpfs, named after this work tree so other checkouts' runs are left
    alone."""
    shm = Path("/dev/shm")  # noqa: S108 (names unique to this tree; only our copies)
    if shm.is_dir() and os.access(shm, os.W_OK):
        tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
        return str(shm / f"vouch-mutate-{tag}-")
    return f"{TEMPLATE_DB}."


def _template_db(env: dict[str, str]) -> None:
    """Migrate the database every mutant's session copies: once, and again only when a
    migration changed (the digest of the migrations is kept beside it)."""
    WORK.mkdir(parents=True, exist_ok=True)
    copies = Path(_copies_prefix())
    for stale in copies.parent.glob(f"{copies.name}*"):  # sessions killed by a timeout
        stale.unlink(missing_ok=True)
    stamp = TEMPLATE_DB.with_name(TEMPLATE_DB.name + "-migrations")
    digest = _migrations_digest()
    if TEMPLATE_DB.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    fresh = TEMPLATE_DB.with_suffix(".new")
    fresh.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{fresh}"},
        check=True,
    )
    fresh.replace(TEMPLATE_DB)  # whole: a session never copies a half-migrated file
    stamp.write_text(digest)


def _results(work: Path, mutmut: list[str]) -> dict[str, str]:
    """Mutant name -> status, from ``mutmut results --all true``."""
    out = subprocess.run(  # noqa: S603 (our own mutmut, fixed arguments)
        [*mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True, check=False
    ).stdout
    results = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            results[name] = status.strip()
    return results


def _children_cpu() -> float:
    """CPU seconds used so far by the processes this script waited for (mutmut and every
    session it forked): the figure that does not depend on what else the machine runs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _equivalents() -> dict[str, str]:
    known = {}
    if EQUIVALENTS.exists():
        for line in EQUIVALENTS.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _sep, reason = line.partition(" ")
                known[name] = reason.strip()
    return known


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), help=", ".join(MODULES))
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--max-children", default="2")
    args = parser.parse_args()
    # This interpreter (the mutmut script's #! may name another venv's python).
    mutmut = [sys.executable, "-m", "mutmut"]
    # SQLite (the template above); Redis as in CI when REDIS_URL is set: each session keeps
    # its board keys and channel groups under its own prefix (scripts/mutate_conftest.py).
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CI"}}
    if not env.get("REDIS_URL") and REDIS_MODULES & set(args.modules):
        print(
            "REDIS_URL is not set: the boards' Redis store goes unjudged and its mutants "
            "survive (CI sets it; e.g. REDIS_URL=redis://127.0.0.1:6379/0 make mutate)",
            flush=True,
        )
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    env["VOUCH_MUTATE_DB"] = str(TEMPLATE_DB)
    env["VOUCH_MUTATE_COPIES"] = _copies_prefix()
    without_redis = {k: v for k, v in env.items() if k != "REDIS_URL"}
    run_started = time.monotonic()
    _template_db(env)
    equivalents = _equivalents()
    killed_all = counted_all = 0
    survivors: list[str] = []
    for name in args.modules:
        started = time.monotonic()
        cpu_before = _children_cpu()
        missing = [t for t in MODULES[name][1] if not (ROOT / t).exists()]
        if missing:
            print(f"{name}: no such tests: {', '.join(missing)}")
            return 2
        work = _prepare(name)
        log = WORK / f"{name}.log"
        print(f"{name}: mutating; progress in {log}", flush=True)
        with log.open("w") as out:
            subprocess.run(  # noqa: S603 (our own mutmut, fixed arguments)
                [*mutmut, "run", "--max-children", args.max_children],
                cwd=work,
                env=env if name in REDIS_MODULES else without_redis,
                check=False,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        results = _results(work, mutmut)
        if not results or all(s == "not checked" for s in results.values()):
            print(f"{name}: mutmut did not run the tests; see: cd {work} && mutmut run")
            return 2
        counted = {m: s for m, s in results.items() if m not in equivalents}
        killed = sum(1 for s in counted.values() if s in {"killed", "timeout", "segfault"})
        alive = sorted(m for m, s in counted.items() if s not in {"killed", "timeout", "segfault"})
        score = 100.0 * killed / len(counted) if counted else 100.0
        print(
            f"{name}: {killed}/{len(counted)} killed ({score:.1f} %), "
            f"{len(results) - len(counted)} equivalent, {time.monotonic() - started:.0f} s "
            f"({_children_cpu() - cpu_before:.0f} CPU-s)"
        )
        for mutant in alive:
            print(f"  survived: {mutant} ({counted[mutant]})  -> cd {work} && mutmut show {mutant}")
        killed_all += killed
        counted_all += len(counted)
        survivors += alive
    score = 100.0 * killed_all / counted_all if counted_all else 100.0
    print(
        f"mutation score: {score:.1f} % ({killed_all}/{counted_all}), {len(survivors)} survived, "
        f"{time.monotonic() - run_started:.0f} s in all ({_children_cpu():.0f} CPU-s: on a "
        "machine of its own, about half of that in seconds with two children)"
    )
    return 0 if score >= args.threshold else 1


if __name__ == "__main__":
    sys.exit(main())
