# SPDX-License-Identifier: AGPL-3.0-or-later
"""The OpenAPI document: valid OpenAPI 3, describes every route, and the API keeps its
word: schemathesis calls every operation and checks every response against the schema."""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode, checks

from portal.api.services import api_token_create
from portal.rewards.models import RewardItem
from tests.factories import submit_lead


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_the_schema_is_valid_openapi_3(openapi):
    validate(openapi)  # raises on any violation of the OpenAPI 3 specification
    assert openapi["openapi"].startswith("3.")


def _api_routes() -> set[str]:
    routes = set()
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) == "api/v1/":
            for sub in pattern.url_patterns:
                routes.add(str(sub.pattern))
    return routes


def test_every_endpoint_is_described(openapi):
    documented = {re.sub(r"\{\w+\}", "X", p) for p in openapi["paths"]}
    for route in _api_routes():
        if route in {"openapi.json", "docs/", r"^[\s\S]*"}:
            continue
        path = "/api/v1/" + re.sub(r"<\w+:(\w+)>|\(\?P<\w+>[^)]*\)", "X", route).strip("^$")
        assert path in documented, route


def test_every_operation_documents_its_errors_in_the_error_shape(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith(("/Error", "/ValidationError")), (path, status)
            assert operation.get("security"), (method, path)


# --- schemathesis -----------------------------------------------------------------------


@pytest.fixture
def wsgi_app():
    """The real WSGI application. Like Django's test client, it must not close the
    database connection after each request: the test's transaction lives on it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, wsgi_app, program, employee, reviewer, partner_admin):
    # Some data for the generated requests to find.
    submit_lead(employee, program)
    submit_lead(partner_admin, program)
    RewardItem.objects.create(name="Mug", kind="swag", points_price=1, stock=1000)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


# CI: the same examples on every run (derandomize), so the test cannot pass one run and
# fail the next. `make fuzz` (VOUCH_FUZZ=1): many more, random ones.
FUZZ = os.environ.get("VOUCH_FUZZ") == "1"
EXAMPLES = hypothesis_settings(
    max_examples=300 if FUZZ else 20,
    deadline=None,
    database=None,
    derandomize=not FUZZ,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("persona", ["reviewer", "partner_admin", "employee"])
def test_the_api_keeps_to_its_schema(request, settings, api_schema, persona, mode):
    """Every operation, with data that fits the schema and data that does not, as three
    roles: every response (status, headers, body) must be one the schema documents."""
    settings.API_RATE_LIMIT = "100000/min"
    user = request.getfixturevalue(persona)
    _row, token = api_token_create(user=user, name="schemathesis", actor=user)
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 19
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @EXAMPLES
        def check(case):
            # A request body can fit the schema and still break a rule no schema states
            # (the program must be open to you, a phone number must exist, a lead must be in
            # the right state): those are documented 400s and 409s, so "schema-valid data
            # is accepted" is checked for query parameters (GET) only. Every other check
            # runs on every operation.
            post = case.operation.method.lower() == "post"
            excluded = [checks.positive_data_acceptance] if post else []
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        try:
            check()
        except Exception as exc:  # report every operation that fails, not just the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
