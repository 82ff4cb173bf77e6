"""Board report pages under /t/<tenant>/reports/. Each view module lists its own URLs; they
are joined here."""

from reporting.views import assembly_packs, reports, schedules, versions

urlpatterns = [
    *schedules.urlpatterns,  # "settings/" before a report's "<uuid>/"
    *reports.urlpatterns,
    *versions.urlpatterns,
    *assembly_packs.urlpatterns,
]
