# SPDX-License-Identifier: AGPL-3.0-or-later
"""Secrets at rest: webhook and CRM signing secrets and payout details (IBAN) are stored
encrypted with Fernet (``cryptography``), under keys from the environment.

``ENCRYPTION_KEYS`` holds one or more Fernet keys, comma-separated: the first encrypts,
every one decrypts (``MultiFernet``). To rotate (README "Secrets at rest"): put a new
key first, keep the old ones after it, restart, run ``manage.py encryption_rotate`` (it
re-encrypts every row with the first key), then drop the old keys. Without the variable
(the embedded default, tests) a key is derived from ``SECRET_KEY``.

A stored value is ``fernet:<token>``. A value without that prefix is plaintext written
before encryption existed: it is read as it is, and encrypted the next time it is saved
(the data migrations save every row once).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys.strip():
        try:
            return MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
        except ValueError as exc:
            raise ImproperlyConfigured(
                "ENCRYPTION_KEYS must be Fernet keys, comma-separated "
                "(python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from exc
    derived = base64.urlsafe_b64encode(
        hashlib.sha256(f"vouch-at-rest:{secret_key}".encode()).digest()
    )
    return MultiFernet([Fernet(derived)])


def fernet() -> MultiFernet:
    return _fernet(getattr(settings, "ENCRYPTION_KEYS", "") or "", settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return PREFIX + fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    """The plaintext of a stored value (plaintext written before encryption: as it is).
    A value no configured key opens raises ImproperlyConfigured: a key is missing."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with ENCRYPTION_KEYS: an old key is missing."
        ) from exc


def rotate(stored: str) -> str:
    """The value re-encrypted with the first key (plaintext: encrypted)."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; read back as plaintext. Not searchable (each encryption of
    the same value differs)."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


class EncryptedJSONField(models.TextField):
    """A JSON value (dict, list …) stored encrypted as text; read back as the value."""

    _pyi_private_set_type: Any  # django-stubs: set and read as JSON values
    _pyi_private_get_type: Any

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return self.to_python(decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value else self.get_default()
            except json.JSONDecodeError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj) -> str:
        return json.dumps(self.value_from_object(obj), sort_keys=True)
