# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="home"),
    path("me/", views.employee, name="employee"),
    path("partner/", views.partner, name="partner"),
    path("partner/organisation/", views.organisation, name="organisation"),
    path("team/", views.team, name="team"),
    path("review/", views.review, name="review"),
    path("finance/", views.finance, name="finance"),
]
