# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path, re_path

from . import consumers

websocket_urlpatterns = [
    path("ws/live/", consumers.LiveConsumer.as_asgi()),
    re_path(r"^ws/boards/(?P<board_id>[\w:.-]{3,80})/$", consumers.BoardConsumer.as_asgi()),
]
