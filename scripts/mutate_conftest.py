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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Quickest tests first (mutmut's own timings, from its stats run): a mutant stops at
    its first failing test (-x), so a killed mutant costs its quickest killing test. Runs
    before pytest-django's own ordering, whose stable sort then keeps database tests ahead
    of the transactional ones that flush it (as in any run of the suite)."""
    stats = Path("mutmut-stats.json")  # mutmut runs pytest in mutants/, beside its stats
    if not stats.exists():
        return
    try:
        durations = json.loads(stats.read_text())["duration_by_test"]
    except (ValueError, KeyError):
        return
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


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
