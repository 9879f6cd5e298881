# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k8Jx3vQz9Lm2Rt7Yw4Np6Bs1Hd5Fg0Ca-production-secret-value",
    "ALLOWED_HOSTS": "vouch.example.com",
    "SITE_URL": "https://vouch.example.com",
    "DATABASE_URL": "postgres://vouch:secret@db:5432/vouch",
    "REDIS_URL": "redis://redis:6379/0",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "VOUCH_TESTING",
            "SECURE_SSL_REDIRECT",
            "DATABASE_URL",
            "REDIS_URL",
        }
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_values():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_check_deploy_refuses_rate_limits_counted_per_process():
    """Without Redis every web process would keep its own count: a 5/h limit becomes
    5/h per process."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = _run(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "vouch.E001" in result.stderr


def test_embedded_default_checks_clean_with_nothing_silenced():
    result = _run(["check"], {"DEBUG": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_missing_secret_key_in_production_stops_start_up():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_stops_start_up_with_its_name():
    result = _run(["check"], {**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_bad_redis_url_stops_start_up():
    result = _run(["check"], {**PRODUCTION_ENV, "REDIS_URL": "localhost:6379"})
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_env_readers(monkeypatch, tmp_path):
    monkeypatch.setenv("V_BOOL", "Yes")
    monkeypatch.setenv("V_INT", "42")
    monkeypatch.setenv("V_LIST", " a.example, b.example ,,")
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("V_SECRET_FILE", str(secret))
    assert env_bool("V_BOOL", False) is True
    assert env_int("V_INT", 0) == 42
    assert env_list("V_LIST") == ["a.example", "b.example"]
    assert env_str("V_SECRET") == "from-a-file"
    assert env_str("V_UNSET", "default") == "default"
    monkeypatch.setenv("V_INT", "forty-two")
    with pytest.raises(ImproperlyConfigured, match="V_INT='forty-two'"):
        env_int("V_INT", 0)
