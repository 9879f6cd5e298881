# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "portal.payouts"
    label = "payouts"
    verbose_name = _("Commissions and payouts")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (subscribes to lead events)
