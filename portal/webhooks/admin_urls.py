# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import admin_views

app_name = "webhooks_admin"

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("endpoints/<int:pk>/", admin_views.endpoint, name="endpoint"),
    path("endpoints/<int:pk>/secret/", admin_views.endpoint_secret, name="endpoint_secret"),
    path("deliveries/<int:pk>/", admin_views.delivery, name="delivery"),
    path("deliveries/<int:pk>/replay/", admin_views.delivery_replay, name="delivery_replay"),
    path("crm/<int:pk>/", admin_views.integration, name="integration"),
    path("crm/<int:pk>/secret/", admin_views.integration_secret, name="integration_secret"),
]
