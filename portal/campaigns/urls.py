# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_edit, name="new"),
    path("campaigns/<int:pk>/", views.campaign_report_page, name="report"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<int:pk>/upload/", views.campaign_upload, name="upload"),
    path("campaigns/<int:pk>/report.csv", views.campaign_report_csv, name="report_csv"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
]
