# SPDX-License-Identifier: AGPL-3.0-or-later
"""WSGI entry point: production serves HTTP through this (gunicorn, threads)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

application = get_wsgi_application()
