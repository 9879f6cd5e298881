# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from . import views
from .sitemap import ContentSitemap

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("agreement/<int:pk>/accept/", views.agreement_accept, name="agreement_accept"),
    path("sitemap.xml", sitemap, {"sitemaps": {"wagtail": ContentSitemap}}, name="sitemap"),
]
