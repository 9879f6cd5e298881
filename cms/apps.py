# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Program content")

    def ready(self) -> None:
        from portal.leads.permissions import partner_submission_check_register

        from . import signals  # noqa: F401
        from .agreements import agreement_submission_check

        # Partners accept the current agreement before their next lead (SPEC §6).
        partner_submission_check_register(check=agreement_submission_check)
