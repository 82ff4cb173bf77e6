"""Anchor resources under /api/v1/tenants/<tenant_slug>/ (see api/urls.py), scope
`anchors:read`."""

from django.urls import path

from anchors.api import views

urlpatterns = [
    path("anchor-charters/", views.AnchorCharterList.as_view(), name="api_anchor_charter_list"),
    path(
        "anchor-charters/<slug:charter_slug>/",
        views.AnchorCharterDetail.as_view(),
        name="api_anchor_charter_detail",
    ),
    path(
        "anchor-charters/<slug:charter_slug>/members/",
        views.AnchorMemberList.as_view(),
        name="api_anchor_member_list",
    ),
    path(
        "anchor-charters/<slug:charter_slug>/rounds/",
        views.AnchorRoundList.as_view(),
        name="api_anchor_round_list",
    ),
    path(
        "anchor-charters/<slug:charter_slug>/figures/",
        views.AnchorFigureList.as_view(),
        name="api_anchor_figure_list",
    ),
    path(
        "anchor-charters/<slug:charter_slug>/aggregates/",
        views.AnchorAggregateList.as_view(),
        name="api_anchor_aggregate_list",
    ),
]
