# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.api.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The user the token acts as.")
        parser.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email}.")
        try:
            _row, token = api_token_create(user=user, name=name, actor=None)
        except (PermissionDenied, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        self.stdout.write(token)
