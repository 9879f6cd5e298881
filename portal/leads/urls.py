# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list, name="list"),
    path("leads/new/", views.lead_new, name="new"),
    path("leads/<int:pk>/", views.lead_detail, name="detail"),
    path("leads/<int:pk>/withdraw/", views.lead_withdraw, name="withdraw"),
    path("leads/link/", views.referral_share, name="share"),
    path("leads/link/qr.<str:fmt>", views.referral_qr, name="qr"),
    path("leads/link/card/", views.referral_card, name="card"),
]

# Public pages, outside the "leads" namespace: /r/<code>/
public_urlpatterns = [
    path("r/<str:code>/", views.referral_page, name="referral_page"),
    path("r/<str:code>/thanks/", views.referral_thanks, name="referral_thanks"),
    path("r/<str:code>/brand.css", views.referral_brand_css, name="referral_brand_css"),
]
