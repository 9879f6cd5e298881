# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``manage.py seed_demo``): it sits above every app it fills."""

    name = "portal.demo"
    label = "demo"
