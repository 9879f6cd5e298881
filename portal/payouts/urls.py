# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "payouts"

urlpatterns = [
    path("partner/commissions/", views.commissions, name="commissions"),
    path("partner/statements/", views.statements, name="statements"),
    path("partner/statements/<int:year>-<int:month>/", views.statement, name="statement"),
    path("partner/payout-details/", views.payout_details, name="details"),
]
