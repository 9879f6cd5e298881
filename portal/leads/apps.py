# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "portal.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (subscribes to lead events)
