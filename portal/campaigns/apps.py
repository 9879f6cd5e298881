# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "portal.campaigns"
    label = "campaigns"
    verbose_name = _("Referral campaigns")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (asks won customers and promoted referrers)
