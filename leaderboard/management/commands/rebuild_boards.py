# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from leaderboard.services import boards_rebuild


class Command(BaseCommand):
    help = "Recompute every leaderboard from the points ledger (the source of truth) into Redis."

    def handle(self, *args, **options) -> None:
        count = boards_rebuild()
        if count:
            self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} boards."))
        else:
            self.stdout.write("No Redis configured: boards are read from the database directly.")
