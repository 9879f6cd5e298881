# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calling the API the way integrations do: a real token in the Authorization header."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portal.api.services import api_token_create


class ApiClient:
    def __init__(self, token: str | None = None):
        self.token = token
        self.client = Client()

    def _headers(self, headers: dict | None) -> dict:
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, data=None, headers: dict | None = None):
        return self.client.post(
            path,
            json.dumps({} if data is None else data),
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api_as(db):
    """``api_as(user)``: an API client holding a fresh personal token of ``user``."""

    def make(user) -> ApiClient:
        _row, token = api_token_create(user=user, name="tests", actor=user)
        return ApiClient(token)

    return make


@pytest.fixture
def anonymous_api(db):
    return ApiClient()
