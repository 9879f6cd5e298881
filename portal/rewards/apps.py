# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "portal.rewards"
    label = "rewards"
    verbose_name = _("Points and rewards")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (subscribes to lead events)
