# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import web_views

app_name = "api_tokens"

# Reviewers' pages live under /review/, so their MFA requirement applies (see middleware).
urlpatterns = [
    path("accounts/api-tokens/", web_views.tokens, name="tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", web_views.token_revoke, name="token_revoke"),
    path("partner/integration-keys/", web_views.integration_keys, name="integration_keys"),
    path(
        "partner/integration-keys/<int:pk>/revoke/",
        web_views.integration_key_revoke,
        name="integration_key_revoke",
    ),
    path(
        "review/partners/<int:pk>/integration-keys/",
        web_views.integration_keys,
        name="review_integration_keys",
    ),
    path(
        "review/integration-keys/<int:pk>/revoke/",
        web_views.integration_key_revoke,
        name="review_integration_key_revoke",
    ),
]
