# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "fraud"

urlpatterns = [
    path("review/fraud/", views.queue, name="queue"),
    path("review/fraud/<int:pk>/", views.case_detail, name="case"),
    path("review/fraud/<int:pk>/decide/", views.case_decide, name="decide"),
]
