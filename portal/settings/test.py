# SPDX-License-Identifier: AGPL-3.0-or-later
"""Test settings: the base settings plus speed-ups. Services come from the environment."""

from __future__ import annotations

import os

os.environ.setdefault("VOUCH_TESTING", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EVENTS_RAISE = True  # a failing handler fails its test

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Live servers and Channels tests run in other threads: a file database, not :memory:.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
else:
    # Named explicitly: Channels' live server process looks the test database up by it.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
# Rate-limit counters and cached pages must not leak between tests or runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
