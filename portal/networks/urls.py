# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("network/", views.outbound_list, name="outbound_list"),
    path("network/send/", views.outbound_new, name="outbound_new"),
    path("network/outbound/<int:pk>/", views.outbound_detail, name="outbound_detail"),
    path("network/outbound/<int:pk>/<str:action>/", views.outbound_update, name="outbound_update"),
    path("network/partners/<int:pk>/balance/", views.balance, name="balance"),
    path("network/recruit/", views.recruitment_link, name="recruitment_link"),
    path("network/recruitments/", views.recruitment_list, name="recruitment_list"),
    path(
        "network/recruitments/<int:pk>/<str:decision>/",
        views.recruitment_decide,
        name="recruitment_decide",
    ),
    path("apply/partner/<str:token>/", views.recruitment_apply, name="recruitment_apply"),
    path("join/<str:token>/", views.customer_signup, name="customer_signup"),
    path("customer/", views.customer_home, name="customer_home"),
    path("customer/partner/", views.partner_apply, name="partner_apply"),
]
