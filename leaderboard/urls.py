# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path, re_path

from . import views

app_name = "leaderboard"

BOARD = r"(?P<board_id>[\w:.-]{3,80})"

urlpatterns = [
    path("boards/", views.boards, name="boards"),
    re_path(rf"^boards/{BOARD}\.json$", views.board_json, name="board_json"),
    re_path(rf"^boards/{BOARD}/$", views.boards, name="board"),
    path("tv/", views.tv, name="tv"),
    re_path(rf"^tv/{BOARD}/$", views.tv, name="tv_board"),
    path("contests/", views.contests, name="contests"),
    path("contests/<int:pk>/", views.contest_detail, name="contest"),
    path("contests/<int:pk>/share/", views.contest_share, name="contest_share"),
    path("team/shoutouts/", views.shoutouts, name="shoutouts"),
    path("team/screens/", views.tv_screens, name="tv_screens"),
    path("team/screens/<int:pk>/revoke/", views.tv_screen_revoke, name="tv_screen_revoke"),
]
