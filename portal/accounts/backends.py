# SPDX-License-Identifier: AGPL-3.0-or-later
"""Django's and allauth's authentication backends, reading the session's user with SQL
compiled once (``portal.core.sql``): every signed-in request runs this look-up, and the
ORM spent more CPU building it than PostgreSQL spent answering it. Authentication
itself, permissions and the active check are the parents' own."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError

from portal.core.sql import PreparedRead

from .models import User

# One user by primary key (placeholder 0), as the default manager writes it.
_user_by_pk: PreparedRead[User] = PreparedRead(
    User, lambda connection: User._default_manager.filter(pk=0)
)


class FastUserMixin:
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if pk is None:
            return None
        user = next(iter(_user_by_pk.run([pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(FastUserMixin, DjangoModelBackend):
    """``django.contrib.auth.backends.ModelBackend``."""


class AuthenticationBackend(FastUserMixin, AllauthBackend):
    """``allauth.account.auth_backends.AuthenticationBackend``."""
