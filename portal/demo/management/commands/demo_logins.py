# SPDX-License-Identifier: AGPL-3.0-or-later
"""The last lines `make run` prints: where the demo is served and who can log in."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from .seed_demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo's address (SITE_URL) and its logins."

    def handle(self, *args, **options) -> None:
        width = max(len(email) for email, *_ in DEMO_USERS)
        lines = [
            "",
            f"Vouch is at {settings.SITE_URL}/",
            f"Demo logins (password {DEMO_PASSWORD}):",
            *(f"  {email:<{width}}  {role.label}" for email, _first, _last, role in DEMO_USERS),
            f"Admin: {settings.SITE_URL}/admin/ (as the reviewer)."
            " Ctrl-C stops the server; the set-up log is in .cache/make-run.log.",
            "",
        ]
        self.stdout.write("\n".join(lines))
