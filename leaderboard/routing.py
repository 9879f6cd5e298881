# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path, re_path

from .hub import LiveSocket

websocket_urlpatterns = [
    # One socket per page: ``?board=<id>`` adds a board's diffs, ``&tv=<token>`` a TV link.
    # Channels routes ASGI apps with Django's path(), which django-stubs types for views.
    path("ws/live/", LiveSocket.as_asgi()),  # type: ignore[arg-type]
    # The same socket, with the board in the path (links kept by older pages).
    re_path(
        r"^ws/boards/(?P<board_id>[\w:.-]{3,80})/$",
        LiveSocket.as_asgi(),  # type: ignore[arg-type]
    ),
]
