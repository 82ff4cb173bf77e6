"""KVI pages under /t/<tenant>/kvis/. Each view module lists its own URLs; they are joined here."""

from kvi.views import (
    evidence,
    frameworks,
    home,
    imports,
    kvis,
    library,
    local_areas,
    measurements,
    overview,
    proxies,
    uploads,
    validation,
)

urlpatterns = [
    *home.urlpatterns,
    *overview.urlpatterns,
    *frameworks.urlpatterns,
    *library.urlpatterns,
    *local_areas.urlpatterns,
    *proxies.urlpatterns,
    *kvis.urlpatterns,
    *measurements.urlpatterns,
    *validation.urlpatterns,
    *evidence.urlpatterns,
    *imports.urlpatterns,
    *uploads.urlpatterns,
]
