# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path, re_path

from . import consumers

websocket_urlpatterns = [
    # Channels routes ASGI apps with Django's path(), which django-stubs types for views.
    path("ws/live/", consumers.LiveConsumer.as_asgi()),  # type: ignore[arg-type]
    re_path(
        r"^ws/boards/(?P<board_id>[\w:.-]{3,80})/$",
        consumers.BoardConsumer.as_asgi(),  # type: ignore[arg-type]
    ),
]
