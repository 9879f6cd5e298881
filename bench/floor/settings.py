# SPDX-License-Identifier: AGPL-3.0-or-later
"""The portal's settings, with the bare app installed and the floor's URL in front."""

from portal.settings.base import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bare"]  # noqa: F405
ROOT_URLCONF = "floor.urls"
