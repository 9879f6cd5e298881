# SPDX-License-Identifier: AGPL-3.0-or-later
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.accounts.views import language_set
from portal.core.health import healthz
from portal.core.views import javascript_catalog
from portal.leads.urls import public_urlpatterns as leads_public_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    # Strings of static/js/*.js in the reader's language (a script from our origin: CSP-safe).
    path("i18n/js/<str:lang>.js", javascript_catalog, name="javascript_catalog"),
    path("api/v1/", include("portal.api.urls")),
    path("", include("portal.accounts.urls")),
    path("", include("portal.dashboards.urls")),
    path("", include("portal.leads.urls")),
    path("", include("portal.notifications.urls")),
    path("", include("portal.rewards.urls")),
    path("", include("portal.payouts.urls")),
    path("", include("portal.fraud.urls")),
    path("", include("portal.insight.urls")),
    path("", include("portal.networks.urls")),
    path("", include("portal.campaigns.urls")),
    path("", include("leaderboard.urls")),
    path("", include("cms.urls")),
    path("", include("portal.api.web_urls")),
    *leads_public_urls,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from the page tree: keep it last. English pages live at
# /<slug>/, their translations at /<lang>/<slug>/ (see portal.core.middleware).
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
