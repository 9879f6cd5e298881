# SPDX-License-Identifier: AGPL-3.0-or-later
"""Re-encrypt every secret at rest with the first key of ENCRYPTION_KEYS (README
"Secrets at rest"): run after putting a new key first; then the old keys can go."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core.crypto import EncryptedJSONField, EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        for model in apps.get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, EncryptedTextField | EncryptedJSONField)
            ]
            if not fields:
                continue
            with transaction.atomic():
                # Read (any key decrypts), write back (the first key encrypts).
                for pk, *values in model._default_manager.values_list("pk", *fields).iterator():
                    model._default_manager.filter(pk=pk).update(
                        **dict(zip(fields, values, strict=True))
                    )
                    total += 1
        self.stdout.write(f"Re-encrypted {total} rows.")
