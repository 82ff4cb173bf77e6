"""Award pages under /t/<tenant>/awards/ and the public ones under /t/<tenant>/public/awards/.
Each view module lists its own URLs; they are joined here."""

from awards.views import (
    appeals,
    applications,
    assessment,
    certificates,
    decisions,
    evidence,
    public,
    schemes,
)

urlpatterns = [
    *schemes.urlpatterns,
    *applications.urlpatterns,
    *evidence.urlpatterns,
    *assessment.urlpatterns,
    *decisions.urlpatterns,
    *appeals.urlpatterns,
    *certificates.urlpatterns,
]

public_urlpatterns = [*public.urlpatterns]
