"""Anchor Institution Charter pages under /t/<tenant>/anchors/. Each view module lists its own
URLs; they are joined here."""

from anchors.views import admin, assemblies, dashboard, home, members, returns

urlpatterns = [
    *home.urlpatterns,
    *admin.urlpatterns,
    *members.urlpatterns,
    *returns.urlpatterns,
    *dashboard.urlpatterns,
    *assemblies.urlpatterns,
]
