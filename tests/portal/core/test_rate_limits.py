# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rate limits under attack: 16 parallel clients, counted in Redis when REDIS_URL is set
(CI: PostgreSQL + Redis), in local memory otherwise. Each limit admits exactly its limit."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.api.services import api_token_create
from portal.core.ratelimit import Rate, rate_limit_hit
from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for
from tests.factories import PASSWORD, UserFactory

THREADS = 16
NGINX = "172.18.0.5"  # the compose stack's proxy, as REMOTE_ADDR


@pytest.fixture(autouse=True)
def shared_counters(settings):
    """The production cache (Redis) when the environment names one, with a prefix of its
    own so parallel runs and earlier tests never share a counter."""
    if django_settings.REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": django_settings.REDIS_URL,
                "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}",
            }
        }
    cache.clear()
    yield
    cache.clear()


def _race(fn, args_list):
    barrier = threading.Barrier(len(args_list))
    results: list = [None] * len(args_list)

    def run(i, args):
        barrier.wait()
        try:
            results[i] = fn(*args)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_rate_parsing():
    assert Rate.parse("600/min") == Rate(limit=600, period=60)
    assert Rate.parse("5/h") == Rate(limit=5, period=3600)
    assert Rate.parse("10/5m") == Rate(limit=10, period=300)
    for bad in ("", "5", "x/h", "5/fortnight", "²/h"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


def test_counter_admits_exactly_the_limit_in_parallel():
    rate = Rate(limit=7, period=60)
    results = _race(lambda: rate_limit_hit(key="race", rate=rate).allowed, [()] * THREADS)
    assert results.count(True) == 7
    assert sorted(h for h in results) == [False] * 9 + [True] * 7


@pytest.mark.django_db(transaction=True)
def test_api_limit_holds_per_token_with_16_parallel_clients(settings, employee):
    settings.API_RATE_LIMIT = "20/min"
    _row, token = api_token_create(user=employee, name="attacker", actor=employee)
    _row2, other = api_token_create(user=employee, name="other tool", actor=employee)

    def call():
        client = Client()
        auth = {"Authorization": f"Bearer {token}"}
        return [client.get("/api/v1/me/", headers=auth).status_code for _ in range(2)]

    codes = [c for pair in _race(call, [()] * THREADS) for c in pair]
    assert codes.count(200) == 20
    assert codes.count(429) == 2 * THREADS - 20
    # the limit is the token's: another token keeps its own budget
    other_call = Client().get("/api/v1/me/", headers={"Authorization": f"Bearer {other}"})
    assert other_call.status_code == 200


PROSPECT = {"name": "Paula Prospect", "company": "Prospect AB", "consent": "on"}


def _post_referral(link, program, i, forwarded_for):
    return (
        Client()
        .post(
            reverse("referral_page", args=[link.code]),
            {**PROSPECT, "email": f"p{i}@prospect{i}.example", "program": program.pk},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
        .status_code
    )


@pytest.mark.django_db(transaction=True)
def test_referral_form_limit_holds_per_link_and_client_address(settings, employee, program):
    """Behind nginx (one trusted proxy) the client address is the one nginx saw: a visitor
    sending 16 submissions at once gets exactly 5 through; a visitor elsewhere, or on
    another link, is not blocked; a forged X-Forwarded-For entry changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REFERRAL_FORM_RATE = "5/h"
    link = referral_link_for(user=employee)
    other_link = referral_link_for(user=UserFactory(team=employee.team))
    # the attacker forges a fresh left-hand entry each time; nginx appends the real one
    codes = _race(
        _post_referral,
        [(link, program, i, f"10.0.{i}.1, 203.0.113.7") for i in range(THREADS)],
    )
    assert codes.count(302) == 5 and codes.count(429) == THREADS - 5
    assert Lead.objects.filter(referral_link=link).count() == 5
    # the next visitor, behind the same proxy, is not blocked
    assert _post_referral(link, program, 100, "198.51.100.9") == 302
    # nor is the attacker on someone else's link
    assert _post_referral(other_link, program, 101, "203.0.113.7") == 302
    assert Lead.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_referral_form_limit_per_link_holds_across_addresses(settings, employee, program):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REFERRAL_FORM_LINK_RATE = "10/h"
    link = referral_link_for(user=employee)
    codes = _race(
        _post_referral, [(link, program, i, f"198.51.100.{i + 1}") for i in range(THREADS)]
    )
    assert codes.count(302) == 10 and codes.count(429) == THREADS - 10
    assert Lead.objects.filter(referral_link=link).count() == 10


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings, employee, program):
    """Default (no proxy): a client cannot pick the address it is counted under."""
    settings.REFERRAL_FORM_RATE = "2/h"
    link = referral_link_for(user=employee)
    codes = [_post_referral(link, program, i, f"10.1.{i}.1") for i in range(3)]
    assert codes == [302, 302, 429]
    assert Lead.objects.count() == 2


def _login(email, password, address):
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=address,
    )
    if "_auth_user_id" in client.session:
        return "in"
    text = response.content.decode()
    # Refused unchecked: the lockout page, or allauth's 429 when its counter's cache lock
    # is busy under this many parallel attempts (the password is not checked either way).
    if "Too many failed login attempts" in text or response.status_code == 429:
        return "locked"
    assert "not correct" in text, text[:500]
    return "wrong"


@pytest.mark.django_db(transaction=True)
def test_login_lockout_is_per_account_and_address(settings, employee):
    """16 parallel wrong passwords from one address: exactly 5 are checked, the rest are
    locked out; the account's owner, elsewhere, still logs in."""
    settings.TRUSTED_PROXY_COUNT = 1
    results = _race(_login, [(employee.email, "wrong-wrong", "203.0.113.66")] * THREADS)
    assert results.count("wrong") == 5 and results.count("locked") == THREADS - 5
    # even the right password is refused from the attacker's address...
    assert _login(employee.email, PASSWORD, "203.0.113.66") == "locked"
    # ...but the owner logs in from theirs
    assert _login(employee.email, PASSWORD, "198.51.100.20") == "in"
