from django.urls import path

from organisations.api import views

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="api_organisation_list"),
    path(
        "organisations/<uuid:organisation_id>/",
        views.OrganisationDetail.as_view(),
        name="api_organisation_detail",
    ),
]
