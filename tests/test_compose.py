# SPDX-License-Identifier: AGPL-3.0-or-later
"""Docker cannot run here: check the production stack's file instead."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(name: str) -> list[str]:
    command = SERVICES[name].get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def test_the_production_stack_has_every_service():
    assert {"postgres", "redis", "web", "asgi", "worker", "beat", "proxy"} <= set(SERVICES)


def test_web_serves_wsgi_and_asgi_serves_websockets_from_real_modules():
    web = " ".join(_command("web"))
    asgi = " ".join(_command("asgi"))
    wsgi_target = re.search(r"(\S+):application", web).group(1)
    asgi_target = re.search(r"(\S+):application", asgi).group(1)
    assert "gunicorn" in web and wsgi_target == "portal.wsgi"
    assert asgi_target == "portal.asgi"
    for module in (wsgi_target, asgi_target):
        assert hasattr(importlib.import_module(module), "application")


def test_worker_and_beat_run_the_portal_celery_app():
    for name, role in (("worker", "worker"), ("beat", "beat")):
        command = _command(name)
        assert command[:3] == ["celery", "-A", "portal"] and role in command
    from portal.celery import app

    assert app.main == "portal"
    assert "heartbeat" in app.conf.beat_schedule


def test_proxy_routes_websockets_to_the_asgi_server():
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"location /ws/ \{[^}]*proxy_pass http://asgi", config)
    assert re.search(r"location / \{[^}]*proxy_pass http://web", config)


def test_services_are_configured_only_by_environment_with_kept_connections():
    for name in ("web", "asgi", "worker", "beat"):
        service = SERVICES[name]
        assert service["build"] == "." or service.get("image") == "vouch"
        env = {**COMPOSE.get("x-vouch-env", {}), **(service.get("environment") or {})}
        assert "DATABASE_URL" in env and "REDIS_URL" in env and "SECRET_KEY" in env
    # WSGI threads keep connections; the ASGI server uses the psycopg pool.
    assert str(SERVICES["web"]["environment"]["DATABASE_CONN_MAX_AGE"]) != "0"
    assert str(SERVICES["asgi"]["environment"]["DATABASE_POOL"]).lower() == "true"


def test_dockerfile_installs_the_project():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "collectstatic" in dockerfile
