# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from . import views

app_name = "accounts"

# Reviewer actions live under /review/ and partner-admin actions under /partner/, so the
# MFA requirement for reviewers covers every one of their powers (see middleware).
urlpatterns = [
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("accounts/my-data.<str:fmt>", views.my_data, name="my_data"),
    path("review/partners/", views.partner_list, name="partner_list"),
    path("review/partners/<int:pk>/status/", views.partner_status, name="partner_status"),
    path("review/partners/<int:pk>/invite/", views.invite, name="partner_invite"),
    path(
        "review/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="review_invitation_revoke",
    ),
    path("partner/organisation/invite/", views.invite, name="organisation_invite"),
    path(
        "partner/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="organisation_invitation_revoke",
    ),
    path("partner/members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
]
