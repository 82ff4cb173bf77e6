"""Report resources under /api/v1/tenants/<tenant_slug>/ (see api/urls.py), scope
`reports:read`."""

from django.urls import path

from reporting.api import views

REPORT = "reports/<uuid:report_id>/"
VERSION = f"{REPORT}versions/<int:number>/"
urlpatterns = [
    path("reports/", views.ReportList.as_view(), name="api_report_list"),
    path(REPORT, views.ReportDetail.as_view(), name="api_report_detail"),
    path(f"{REPORT}versions/", views.ReportVersionList.as_view(), name="api_report_version_list"),
    path(VERSION, views.ReportVersionDetail.as_view(), name="api_report_version_detail"),
    path(
        f"{VERSION}download/",
        views.ReportVersionDownload.as_view(),
        name="api_report_version_download",
    ),
]
