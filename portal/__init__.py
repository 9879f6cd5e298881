# SPDX-License-Identifier: AGPL-3.0-or-later
from .celery import app as celery_app

__all__ = ["celery_app"]
