"""Award resources under /api/v1/tenants/<tenant_slug>/ (see api/urls.py): the public schemes,
holders and verification (no key), and applications' status (scope `awards:read`)."""

from django.urls import path

from awards.api import views

urlpatterns = [
    path(
        "public/award-schemes/",
        views.PublicSchemeList.as_view(),
        name="api_public_award_scheme_list",
    ),
    path(
        "public/award-schemes/<slug:scheme_slug>/",
        views.PublicSchemeDetail.as_view(),
        name="api_public_award_scheme_detail",
    ),
    path(
        "public/award-holders/",
        views.PublicHolderList.as_view(),
        name="api_public_award_holder_list",
    ),
    path(
        "public/award-verification/codes/<str:code>/",
        views.PublicVerifyCode.as_view(),
        name="api_public_award_verify_code",
    ),
    path(
        "public/award-verification/organisations/",
        views.PublicVerifyOrganisationName.as_view(),
        name="api_public_award_verify_organisation_name",
    ),
    path(
        "public/award-verification/organisations/<uuid:organisation_id>/",
        views.PublicVerifyOrganisation.as_view(),
        name="api_public_award_verify_organisation",
    ),
    path(
        "award-applications/",
        views.ApplicationStatusList.as_view(),
        name="api_award_application_list",
    ),
]
