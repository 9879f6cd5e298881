# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Model permissions exist only once migrate has run, so role groups sync then.
        post_migrate.connect(_sync_groups, dispatch_uid="vouch-role-groups")


def _sync_groups(sender, **kwargs) -> None:
    from django.apps import apps

    # post_migrate is sent once per app; permissions of later apps exist only at the last.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender is not last:
        return
    from .roles import ensure_role_groups

    ensure_role_groups()
