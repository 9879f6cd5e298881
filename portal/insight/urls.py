# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("insight/", views.insight, name="home"),
    path("insight/leads/", views.leads, name="leads"),
]
