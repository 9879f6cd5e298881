# SPDX-License-Identifier: AGPL-3.0-or-later
"""Settings of the bare broadcast: no apps, no database, the run's channel layer."""

import os

from live_ws import channel_layers

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
CHANNEL_LAYERS = channel_layers()
USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
