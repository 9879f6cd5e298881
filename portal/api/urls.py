# SPDX-License-Identifier: AGPL-3.0-or-later
"""/api/v1/: the REST API, its OpenAPI schema and its docs page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from .views import codes, commissions, crm, leads, me, outbound, rewards
from .views.docs import ApiDocsView, NotFoundView

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("programs/", leads.ProgramsView.as_view(), name="programs"),
    path("leads/", leads.LeadsView.as_view(), name="leads"),
    path("leads/<int:pk>/", leads.LeadDetailView.as_view(), name="lead"),
    path("leads/<int:pk>/start-review/", leads.LeadStartReview.as_view(), name="lead_start_review"),
    path("leads/<int:pk>/qualify/", leads.LeadQualify.as_view(), name="lead_qualify"),
    path("leads/<int:pk>/reject/", leads.LeadReject.as_view(), name="lead_reject"),
    path("leads/<int:pk>/win/", leads.LeadWin.as_view(), name="lead_win"),
    path("leads/<int:pk>/lose/", leads.LeadLose.as_view(), name="lead_lose"),
    path("leads/<int:pk>/reverse/", leads.LeadReverse.as_view(), name="lead_reverse"),
    path("leads/<int:pk>/withdraw/", leads.LeadWithdraw.as_view(), name="lead_withdraw"),
    path("outbound/", outbound.OutboundListView.as_view(), name="outbound"),
    path("outbound/<int:pk>/", outbound.OutboundDetailView.as_view(), name="outbound_detail"),
    path("outbound/<int:pk>/accept/", outbound.OutboundAccept.as_view(), name="outbound_accept"),
    path("outbound/<int:pk>/win/", outbound.OutboundWin.as_view(), name="outbound_win"),
    path("outbound/<int:pk>/lose/", outbound.OutboundLose.as_view(), name="outbound_lose"),
    path("me/", me.MeView.as_view(), name="me"),
    path("boards/", me.BoardsView.as_view(), name="boards"),
    re_path(r"^boards/(?P<board_id>[\w:.-]{3,80})/$", me.BoardView.as_view(), name="board"),
    path("rewards/catalog/", rewards.CatalogView.as_view(), name="catalog"),
    path("rewards/catalog/<int:pk>/redeem/", rewards.RedeemView.as_view(), name="redeem"),
    path("commissions/", commissions.CommissionsView.as_view(), name="commissions"),
    path(
        "commissions/summary/",
        commissions.CommissionSummaryView.as_view(),
        name="commission_summary",
    ),
    path(
        "statements/<int:year>/<int:month>/",
        commissions.StatementView.as_view(),
        name="statement",
    ),
    path("crm/<slug:source>/callbacks/", crm.CrmCallbackView.as_view(), name="crm_callback"),
    path("codes/<slug:source>/check/", codes.RewardCodeCheckView.as_view(), name="code_check"),
    path("codes/<slug:source>/redeem/", codes.RewardCodeRedeemView.as_view(), name="code_redeem"),
    re_path(r"^[\s\S]*", NotFoundView.as_view(), name="not_found"),  # any path, even with \n
]
