# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from portal.insight.services import insight_rebuild


class Command(BaseCommand):
    help = "Rebuild the insight rollups (funnel and points per day) from leads and the ledger."

    def handle(self, *args, **options):
        counts = insight_rebuild()
        self.stdout.write(
            f"{counts['leads']} leads, {counts['daily']} daily rows, "
            f"{counts['points']} points rows rebuilt"
        )
