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
