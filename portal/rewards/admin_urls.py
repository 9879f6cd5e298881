# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import admin_views

app_name = "rewards_admin"

urlpatterns = [
    path("redemptions/", admin_views.redemption_queue, name="redemptions"),
    path("redemptions/<int:pk>/act/", admin_views.redemption_act, name="redemption_act"),
    path("raffles/<int:pk>/draw/", admin_views.raffle_draw_view, name="raffle_draw"),
]
