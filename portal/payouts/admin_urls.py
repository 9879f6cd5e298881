# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import admin_views

app_name = "payouts_admin"

urlpatterns = [
    path("commissions/", admin_views.commission_list, name="commissions"),
    path("commissions/<int:pk>/act/", admin_views.commission_act, name="commission_act"),
    path("batches/", admin_views.batch_list, name="batches"),
    path("batches/<int:pk>/", admin_views.batch_detail, name="batch"),
    path("batches/<int:pk>/act/", admin_views.batch_act, name="batch_act"),
    path("batches/<int:pk>/file/", admin_views.batch_file, name="batch_file"),
    path("payees/<int:pk>/", admin_views.payee, name="payee"),
]
