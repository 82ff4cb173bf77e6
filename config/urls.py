from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from awards import urls as award_urls
from charters import urls as charter_urls
from config.health import healthz
from tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("platform/", tenancy_views.platform_overview, name="platform_overview"),
    path("t/<slug:tenant_slug>/", include("tenancy.urls")),
    path("t/<slug:tenant_slug>/organisations/", include("organisations.urls")),
    path("t/<slug:tenant_slug>/api-keys/", include("api.urls_pages")),
    path("t/<slug:tenant_slug>/charters/", include("charters.urls")),
    path("t/<slug:tenant_slug>/kvis/", include("kvi.urls")),
    path("t/<slug:tenant_slug>/awards/", include("awards.urls")),
    path("t/<slug:tenant_slug>/anchors/", include("anchors.urls")),
    path("t/<slug:tenant_slug>/reports/", include("reporting.urls")),
    path("t/<slug:tenant_slug>/public/charters/", include(charter_urls.public_urlpatterns)),
    path("t/<slug:tenant_slug>/public/awards/", include(award_urls.public_urlpatterns)),
]


def handler404(request, exception):
    """JSON under /api/, the NHS.UK page elsewhere."""
    from django.views.defaults import page_not_found

    from api.exceptions import api_not_found

    if request.path_info.startswith("/api/"):
        return api_not_found(request, exception)
    return page_not_found(request, exception)
