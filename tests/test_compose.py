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


NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def _nginx_variables() -> dict[str, str]:
    return dict(re.findall(r"^\s*set \$(\w+) (\S+);", NGINX, re.MULTILINE))


def test_proxy_routes_websockets_to_the_asgi_server():
    variables = _nginx_variables()
    ws = re.search(r"location /ws/ \{[^}]*proxy_pass \$(\w+);", NGINX)
    web = re.search(r"location / \{[^}]*proxy_pass \$(\w+);", NGINX)
    assert ws and variables[ws.group(1)] == "http://asgi:8001"
    assert web and variables[web.group(1)] == "http://web:8000"
    assert re.search(r"location /ws/ \{[^}]*proxy_set_header Upgrade \$http_upgrade", NGINX)


def test_proxy_finds_containers_added_on_a_running_stack():
    """`docker compose up --scale asgi=4` without restarting the proxy: nginx resolves the
    service names through Docker's DNS again every few seconds, which it does only when
    proxy_pass names its target through a variable (an `upstream` block or a literal
    host is resolved once, at start)."""
    resolver = re.search(r"^resolver 127\.0\.0\.11 valid=(\d+)s", NGINX, re.MULTILINE)
    assert resolver and int(resolver.group(1)) <= 30
    assert not re.search(r"^\s*upstream\s+\w+\s*\{", NGINX, re.MULTILINE)
    assert not re.search(r"proxy_pass http://", NGINX)
    for name in ("web", "asgi", "worker"):
        service = SERVICES[name]
        # A fixed container name or host port would stop `--scale` from adding containers.
        assert "container_name" not in service and "ports" not in service, name
    assert {name for name, service in SERVICES.items() if "ports" in service} == {"proxy"}


def test_asgi_runs_several_pinned_uvicorn_processes_per_container():
    command = _command("asgi")
    assert command[0] == "uvicorn" and "portal.asgi:application" in command
    workers = command[command.index("--workers") + 1]
    assert re.fullmatch(r"\$\{ASGI_WORKERS:-([2-9]|\d\d+)\}|\d+", workers)
    assert command[command.index("--lifespan") + 1] == "off"  # Channels' router has none
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'"uvicorn==[\d.]+"', pyproject) and re.search(
        r'"websockets==[\d.]+"', pyproject
    )
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    assert re.search(r"^uvicorn==", lock, re.MULTILINE) and re.search(
        r"^websockets==", lock, re.MULTILINE
    )


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
