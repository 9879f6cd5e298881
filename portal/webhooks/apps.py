# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks and CRM callbacks")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (subscribes to domain events)
