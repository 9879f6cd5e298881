# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "portal.insight"
    label = "insight"
    verbose_name = _("Insight")

    def ready(self) -> None:
        from leaderboard.store import register_profile_reader

        from . import handlers  # noqa: F401  (subscribes to lead and points events)
        from .selectors import contest_profile_members

        register_profile_reader(contest_profile_members)
