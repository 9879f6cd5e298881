# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import os
from pathlib import Path

# Test and fuzz caches live in .cache/ (ignored), not as folders in the work tree. Read
# by Hypothesis when it first needs its storage, after this file is imported.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY",
    str(Path(__file__).resolve().parent.parent / ".cache" / "hypothesis"),
)

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from portal.accounts.roles import Role

from .factories import (
    PartnerAdminFactory,
    PartnerOrganisationFactory,
    PartnerUserFactory,
    TeamFactory,
    UserFactory,
    enable_mfa,
    give_role,
)

# Property tests: the same examples on every CI run (a failure there is reproducible);
# random ones locally; many more with `HYPOTHESIS_PROFILE=fuzz`.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("fuzz", max_examples=1000, database=None, deadline=None)
hypothesis_settings.load_profile(
    "ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "default")
)


def _check_services() -> list[str]:
    """The services the environment names must answer: CI fails, never skips."""
    problems = []
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db["PASSWORD"],
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except Exception as exc:
            problems.append(f"PostgreSQL at DATABASE_URL does not answer: {exc}")
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(f"Redis at REDIS_URL does not answer: {exc}")
    if os.environ.get("CI") and not (os.environ.get("DATABASE_URL") and settings.REDIS_URL):
        problems.append("CI must set DATABASE_URL and REDIS_URL")
    return problems


def pytest_sessionstart(session):
    problems = _check_services()
    if problems:
        raise pytest.UsageError("\n".join(problems))


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    return [
        f"vouch: database={engine} channel_layer={layer} redis={'yes' if settings.REDIS_URL else 'embedded'}"
    ]


# --- Commits as in production ------------------------------------------------------------


def _only_test_blocks(conn) -> bool:
    return all(getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


def _run_commit_hooks(conn) -> None:
    pending, conn.run_on_commit = conn.run_on_commit, []
    for _sids, func, robust in pending:
        if robust:
            try:
                func()
            except Exception:  # as Django does for robust callbacks
                import logging

                logging.getLogger("django.db.backends.base").exception("robust on_commit")
        else:
            func()


@pytest.fixture(autouse=True)
def _commit_like_production(monkeypatch):
    """A ``db`` test runs inside one transaction that never commits, so ``on_commit``
    work (event handlers, e-mails, board pushes) would never run. Treat the end of the
    outermost block the code itself opened as the commit it is in production: its
    callbacks run then, and a callback registered outside any block of the code's own
    runs at once (autocommit). A block that fails discards its callbacks, as a rollback
    does. ``transaction=True`` tests commit for real and are left alone."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    original_exit = transaction.Atomic.__exit__
    original_on_commit = BaseDatabaseWrapper.on_commit

    def exit_(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        conn = transaction.get_connection(self.using)
        if (
            exc_type is None
            and not getattr(self, "_from_testcase", False)
            and conn.in_atomic_block
            and _only_test_blocks(conn)
            and not conn.needs_rollback
        ):
            _run_commit_hooks(conn)
        return result

    def on_commit(self, func, robust=False):
        if self.in_atomic_block and _only_test_blocks(self) and not self.needs_rollback:
            self.run_on_commit.append((set(self.savepoint_ids), func, robust))
            _run_commit_hooks(self)
            return
        original_on_commit(self, func, robust)

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_)
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    yield


# --- Personas (SPEC §1) --------------------------------------------------------------


@pytest.fixture
def employee(db):
    return UserFactory(team=TeamFactory())


@pytest.fixture
def acme(db):
    return PartnerOrganisationFactory(name="Acme Partners", email_domain="acme.example")


@pytest.fixture
def partner_user(acme):
    return PartnerUserFactory(partner_organisation=acme)


@pytest.fixture
def partner_admin(acme):
    return PartnerAdminFactory(partner_organisation=acme)


@pytest.fixture
def other_partner_admin(db):
    return PartnerAdminFactory()


@pytest.fixture
def manager(db, employee):
    user = give_role(UserFactory(), Role.MANAGER)
    employee.team.managers.add(user)
    return user


@pytest.fixture
def reviewer(db):
    return enable_mfa(give_role(UserFactory(), Role.REVIEWER))


@pytest.fixture
def finance(db):
    return enable_mfa(give_role(UserFactory(), Role.FINANCE))


@pytest.fixture
def outsider(db):
    """Logged in, but an inactive account: no role at all."""
    return UserFactory(is_active=False)


PERSONAS = ["employee", "partner_user", "partner_admin", "manager", "reviewer", "finance"]


@pytest.fixture
def program(db):
    from .factories import ProgramFactory

    return ProgramFactory(name="Customer referrals", slug="customer-referrals")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English: a request in Finnish leaves Finnish active in the test
    process, and translated fields would then be written in Finnish."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_boards():
    """Board keys live in Redis, outside the test database's rollback: start each test clean."""
    if settings.REDIS_URL:
        from leaderboard import store

        redis = store.client()
        keys = list(redis.scan_iter(f"{store.KEY_PREFIX}:*"))
        if keys:
            redis.delete(*keys)
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fraud_bursts_only_where_tested(request, settings):
    """Tests submit many leads for one person within a second, which is exactly a burst:
    the burst detector would hold their points and commissions. It is tested at its
    threshold in tests/portal/fraud; elsewhere its threshold is out of reach."""
    if "tests/portal/fraud" not in str(request.node.path):
        settings.FRAUD_BURST_COUNT = 1_000_000
