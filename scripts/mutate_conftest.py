# SPDX-License-Identifier: AGPL-3.0-or-later
"""Used only by `make mutate` (scripts/mutate.py copies it as conftest.py into each
module's work copy). mutmut runs one pytest session per mutant, two side by side:

- instead of creating or checking the test database each time, every session works on its
  own copy of a database migrated once (``VOUCH_MUTATE_DB``), so sessions start fast;
- with ``REDIS_URL`` set (as in CI), every session keeps its board keys and its channel-layer
  groups under a prefix of its own, so sessions running at once never see each other's
  boards, and the Redis code paths are judged as in CI, not skipped."""

from __future__ import annotations

import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any, cast

import pytest


def pytest_configure(config):
    """mutmut forks every session from a process that already holds Django, the project
    and the tests (its warm-up collects them). Load there, once, what each session would
    otherwise load again: the URLconf and reverse()'s tables (importing it pulls in every view and
    Wagtail's admin: about 0.4 s a session). Then freeze that heap, so the garbage collector stops walking
    (and the fork stops copying) it at every collection."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:  # reverse() builds its tables per language
        if code not in resolver._reverse_dict:  # once, in the process sessions fork from
            with translation.override(code):
                resolver._populate()
    gc.freeze()


# Beside mutmut's own files in mutants/ (where mutmut runs pytest): how long each test
# takes in all (set-up and teardown included), written by the stats run; and per mutated
# function, the tests that killed its mutants so far, one line each, appended by sessions.
DURATIONS = Path("vouch-durations.json")
KILLERS = Path("vouch-killers")


def _mutant() -> str:
    return os.environ.get("MUTANT_UNDER_TEST", "")


def _killers_file() -> Path | None:
    """Where this session's mutant records the test that killed it (None outside a
    mutant's session: the stats, clean and forced-fail runs)."""
    name, sep, _number = _mutant().rpartition("__mutmut_")
    return KILLERS / name if sep else None


def _transactional(item) -> bool:
    """Whether the test commits for real (and flushes the database after it), as
    pytest-django decides when it puts such tests last."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(fixtures))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Cheapest first: a mutant stops at its first failing test (-x), so a killed mutant
    costs the tests run before its killing one. First the tests that killed other mutants
    of the same function (most kills first), then by time, set-up included (mutmut's own
    figures count the test's call only, and set-up is most of a database test). Only the
    order changes, never which tests run. After pytest-django's own ordering, keeping its
    one rule that matters here: tests that commit (and flush the database) come last, so
    no test runs on a database a flush emptied; tests without a database go anywhere."""
    durations: dict[str, float] = {}
    if DURATIONS.exists():
        try:
            durations = json.loads(DURATIONS.read_text())
        except ValueError:
            durations = {}
    kills: dict[str, int] = {}
    killers = _killers_file()
    if killers is not None and killers.exists():
        for line in killers.read_text().splitlines():
            kills[line] = kills.get(line, 0) + 1
    items.sort(
        key=lambda item: (
            _transactional(item),
            -kills.get(item.nodeid, 0),
            durations.get(item.nodeid, 0.0),
        )
    )


_timings: dict[str, float] = {}


def pytest_runtest_logreport(report):
    if _mutant() == "stats":
        _timings[report.nodeid] = _timings.get(report.nodeid, 0.0) + report.duration
    elif report.failed:
        killers = _killers_file()
        if killers is not None:
            killers.parent.mkdir(exist_ok=True)
            # One short line in append mode: sessions side by side never interleave.
            with killers.open("a") as out:
                out.write(report.nodeid + "\n")


def pytest_sessionfinish(session, exitstatus):
    if _mutant() == "stats" and _timings:
        DURATIONS.write_text(json.dumps(_timings))


def _own_redis_namespace() -> str | None:
    """Board keys and channel-layer prefix of this process; None without Redis."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    from channels.layers import channel_layers

    from leaderboard import store

    base = getattr(store, "_MUTATE_BASE_PREFIX", store.KEY_PREFIX)
    store._MUTATE_BASE_PREFIX = base  # type: ignore[attr-defined]
    prefix = f"{base}:mutate{os.getpid()}"
    store.KEY_PREFIX = prefix
    store.BUILT_KEY = f"{prefix}:built"
    store.NAMES_KEY = {False: f"{prefix}:names:people", True: f"{prefix}:names:orgs"}
    # A forked session must not reuse its parent's Redis sockets or its event loop's layer.
    store._client = None
    store._scripts.clear()
    default = cast(dict[str, Any], settings.CHANNEL_LAYERS["default"])
    layer: dict[str, Any] = default.setdefault("CONFIG", {})
    base_layer = layer.setdefault("_mutate_base_prefix", layer.get("prefix", "asgi"))
    layer["prefix"] = f"{base_layer}:mutate{os.getpid()}"
    channel_layers.backends = {}
    return prefix


@pytest.fixture(scope="session", autouse=True)
def _fresh_sync_to_async_thread():
    """mutmut forks each session from a process whose async tests already started
    asgiref's one worker thread (``SyncToAsync.single_thread_executor``); a fork copies the
    executor but not its thread, so every ``database_sync_to_async`` call would wait for
    ever (a socket test then hangs until mutmut's timeout, counted as a kill). A new
    executor per session."""
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    yield


@pytest.fixture(scope="session", autouse=True)
def _own_redis_keys():
    """Before any test (the project's ``_fresh_boards`` deletes every board key under
    ``store.KEY_PREFIX`` at each test): this session's own prefix; its keys go at the end."""
    prefix = _own_redis_namespace()
    yield
    if prefix:
        from leaderboard import store

        redis = store.client()
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    from django.conf import settings
    from django.db import connections

    template = os.environ.get("VOUCH_MUTATE_DB")
    if not template:
        raise pytest.UsageError("VOUCH_MUTATE_DB is not set: run this through `make mutate`")
    # Where scripts/mutate.py says (a tmpfs where there is one: commits sync nothing).
    copy = Path(f"{os.environ.get('VOUCH_MUTATE_COPIES', template + '.')}{os.getpid()}")
    shutil.copyfile(template, copy)
    connection = connections["default"]
    connection.close()
    for db in (settings.DATABASES["default"], connection.settings_dict):
        db["NAME"] = str(copy)
        db.setdefault("TEST", {})["NAME"] = str(copy)
    yield
    connection.close()
    copy.unlink(missing_ok=True)
