# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "portal.networks"
    label = "networks"
    verbose_name = _("Referral networks")

    def ready(self) -> None:
        from portal.leads.retention import person_eraser_register

        from . import handlers  # noqa: F401  (tells people about outbound leads)
        from .services import outbound_erase_person

        person_eraser_register(outbound_erase_person)
