# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wagtail's publishing signals, handed to the services that own the rules."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services
from .cache import content_changed


@receiver(page_published)
def on_page_published(sender, instance, **kwargs):
    services.page_published(page=instance)


@receiver(page_unpublished)
@receiver(post_page_move)
def on_tree_changed(sender, instance, **kwargs):
    content_changed()


@receiver(post_delete)
def on_page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        content_changed()


@receiver(post_migrate)
def on_migrate(sender, **kwargs):
    from django.apps import apps

    # After the role groups are synced (on the last app's signal, see accounts.apps).
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender is last:
        services.announcement_sections_grant()
