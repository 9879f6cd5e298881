# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # drf-spectacular finds the bearer scheme through this module's extension class.
        from . import authentication  # noqa: F401
