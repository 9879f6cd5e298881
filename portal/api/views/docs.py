# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, NoReturn

from django.http import HttpRequest
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files, its start-up script a separate request: the
    page keeps the portal's strict CSP (no inline script or style, nothing external)."""

    template_name = "api/docs.html"


class NotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404 like the rest of the API."""

    permission_classes = [AllowAny]
    schema = None  # not part of the API description

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> NoReturn:
        raise exceptions.NotFound()

    get = post = put = patch = delete = options = http_method_not_allowed
