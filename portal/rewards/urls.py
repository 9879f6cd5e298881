# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "rewards"

urlpatterns = [
    path("rewards/", views.home, name="home"),
    path("rewards/catalog/", views.catalog, name="catalog"),
    path("rewards/catalog/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("rewards/redemptions/", views.redemptions, name="redemptions"),
    path("rewards/redemptions/<int:pk>/cancel/", views.redemption_cancel, name="redemption_cancel"),
    path("rewards/vouchers/", views.vouchers, name="vouchers"),
    path("rewards/goals/", views.goals, name="goals"),
    path("rewards/goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("rewards/raffles/", views.raffle_list, name="raffles"),
    path("rewards/raffles/<int:pk>/", views.raffle_detail, name="raffle"),
    path("rewards/raffles/<int:pk>/ticket/", views.raffle_buy, name="raffle_buy"),
]
