# SPDX-License-Identifier: AGPL-3.0-or-later
"""What every API view shares: input parsing, role checks, look-ups and pagination."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role

from ..serializers import MAX_ID

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REFERRERS = (Role.EMPLOYEE, Role.PARTNER_USER)
PARTICIPANTS = REFERRERS


WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
MAX_PAGE = 10**9

M = TypeVar("M", bound=Model)


class ApiPagination(PageNumberPagination):
    """?page=N&page_size=M, strictly: a value that is not a whole number in range is a 400
    (not silently the default), and a page past the end is a 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def _number(self, request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not WHOLE_NUMBER.fullmatch(raw):
            raise exceptions.ValidationError({name: [_("Give a whole number.")]})
        return int(raw)

    def get_page_number(self, request: Request, paginator: Paginator) -> int:
        return self._number(request, self.page_query_param, 1)

    def get_page_size(self, request: Request) -> int:
        size = self._number(request, self.page_size_query_param, self.page_size)
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("From 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["schema"]["maximum"] = (
                self.max_page_size if parameter["name"] == self.page_size_query_param else MAX_PAGE
            )
        return parameters


def api_user(request: Request) -> User:
    """The signed-in user. ``ApiAccess``, every view's default permission, lets nobody else
    in; views open to anyone do not call this."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def query_params(serializer_class: type[BaseSerializer], request: Request) -> dict[str, Any]:
    # A plain dict, not the QueryDict: DRF reads an empty form value as "not given", and
    # the API answers exactly what it was asked ("?status=" is not a status).
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body(serializer_class: type[BaseSerializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def require_role(
    user: User | AnonymousUser, *roles: Role, message: StrOrPromise | None = None
) -> None:
    """The same gate as the page's ``role_required``: 403 without one of the roles."""
    if not has_role(user=user, roles=roles):
        raise exceptions.PermissionDenied(message or _("Your role does not include this."))


def object_or_404(queryset: QuerySet[M], pk: int) -> M:
    """One object of a selector's queryset: whatever the selector hides is a 404."""
    found = queryset.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise exceptions.NotFound()
    return found
