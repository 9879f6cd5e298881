# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import admin_views

app_name = "leads_admin"

urlpatterns = [
    path("", admin_views.queue, name="queue"),
    path("bulk/", admin_views.bulk, name="bulk"),
    path("import/", admin_views.import_leads, name="import"),
    path("erase/", admin_views.erase_person, name="erase"),
    path("import/errors.csv", admin_views.import_errors, name="import_errors"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("<int:pk>/act/", admin_views.act, name="act"),
]
