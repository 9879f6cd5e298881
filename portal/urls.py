# SPDX-License-Identifier: AGPL-3.0-or-later
from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.core.health import healthz
from portal.leads.urls import public_urlpatterns as leads_public_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portal.api.urls")),
    path("", include("portal.accounts.urls")),
    path("", include("portal.dashboards.urls")),
    path("", include("portal.leads.urls")),
    path("", include("portal.notifications.urls")),
    path("", include("portal.rewards.urls")),
    path("", include("portal.payouts.urls")),
    path("", include("leaderboard.urls")),
    path("", include("cms.urls")),
    path("", include("portal.api.web_urls")),
    *leads_public_urls,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from the page tree: keep it last.
urlpatterns.append(path("", include(wagtail_urls)))
