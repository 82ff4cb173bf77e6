"""`/api/v1/`: the tenants' public profiles, and each app's resources under
`/api/v1/tenants/<tenant_slug>/`."""

from django.urls import include, path

from tenancy.api import views as tenant_views

tenant_resources = [
    path("", tenant_views.TenantDetail.as_view(), name="api_tenant_detail"),
    path("", include("organisations.api.urls")),
    path("", include("charters.api.urls")),
    path("", include("kvi.api.urls")),
    path("", include("awards.api.urls")),
    path("", include("anchors.api.urls")),
    path("", include("reporting.api.urls")),
]

urlpatterns = [
    path("tenants/", tenant_views.TenantList.as_view(), name="api_tenant_list"),
    path("tenants/<slug:tenant_slug>/", include(tenant_resources)),
]
