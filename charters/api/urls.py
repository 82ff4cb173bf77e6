"""Charter resources under /api/v1/tenants/<tenant_slug>/ (see api/urls.py)."""

from django.urls import path

from charters.api import views

urlpatterns = [
    path("charters/", views.CharterList.as_view(), name="api_charter_list"),
    path("charters/<slug:charter_slug>/", views.CharterDetail.as_view(), name="api_charter_detail"),
    path(
        "charters/<slug:charter_slug>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="api_charter_version_detail",
    ),
    path(
        "charters/<slug:charter_slug>/signatories/",
        views.SignatoryList.as_view(),
        name="api_charter_signatory_list",
    ),
    path(
        "charters/<slug:charter_slug>/pledges/",
        views.PledgeList.as_view(),
        name="api_charter_pledge_list",
    ),
    path(
        "public/charters/<slug:charter_slug>/register/",
        views.PublicRegister.as_view(),
        name="api_public_charter_register",
    ),
]
