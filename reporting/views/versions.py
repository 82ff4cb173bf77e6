"""A report's PDFs: asking for one ("Generate PDF"), following its progress (a page that
refreshes itself, enhanced by a small script polling a JSON endpoint), downloading it, trying a
failed one again, and the KVI table as a spreadsheet.

Downloads are for the people who may see the report (tenant admins, board reporters, the
organisation's admins); anyone else in the programme is refused (403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from reporting import exports, selectors, services
from reporting.models import ReportKind, VersionStatus
from reporting.views.common import (
    detail_url,
    download_url,
    report_crumbs,
    report_or_refuse,
    require,
    status_url,
    version_or_404,
    writer,
)
from tenancy.decorators import tenant_view
from uploads.responses import private_download

REFRESH_SECONDS = 3
NO_PREPARE = "You do not have permission to produce this report's PDF."
WORKING = (VersionStatus.QUEUED, VersionStatus.RUNNING)


@tenant_view()
@require_POST
def report_generate(request, report_id):
    tenant = request.tenant
    report = report_or_refuse(request, report_id)
    require(selectors.may_prepare_report(request.access, report), NO_PREPARE)
    try:
        version = services.report_generate(**writer(request), report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url(tenant, report))
    return redirect(status_url(tenant, version))


def _progress(request, version) -> dict:
    ready = version.status == VersionStatus.READY
    message = version.progress_message
    if version.status == VersionStatus.FAILED:
        message = version.failure_reason or "The PDF could not be produced."
    return {
        "status": version.status,
        "status_label": version.get_status_display(),
        "progress": 100 if ready else version.progress,
        "message": message,
        "download_url": download_url(request.tenant, version) if ready else None,
        "page_count": version.page_count if ready else None,
        "size": version.size if ready else None,
        "size_label": filesizeformat(version.size) if ready else "",
        "sha256": version.sha256 if ready else "",
    }


@tenant_view()
@require_safe
def report_version_status(request, report_id, number):
    tenant = request.tenant
    report = report_or_refuse(request, report_id)
    version = version_or_404(request, report, number)
    title = f"Version {version.number}"
    return render(
        request,
        "reporting/version_status.html",
        {
            "report": report,
            "version": version,
            "state": _progress(request, version),
            "working": version.status in WORKING,
            "refresh_seconds": REFRESH_SECONDS,
            "may_prepare": selectors.may_prepare_report(request.access, report),
            "title": title,
            "breadcrumbs": report_crumbs(tenant, report, (title, "")),
        },
    )


@tenant_view()
@require_safe
def report_version_progress(request, report_id, number):
    """The version's state as JSON, for the status page's script."""
    report = report_or_refuse(request, report_id)
    version = version_or_404(request, report, number)
    response = JsonResponse(_progress(request, version))
    response["Cache-Control"] = "no-store"
    return response


@tenant_view()
@require_safe
def report_version_download(request, report_id, number):
    report = report_or_refuse(request, report_id)
    version = version_or_404(request, report, number)
    if version.status != VersionStatus.READY or not version.storage_key:
        raise Http404("This version's PDF is not ready.")
    name = slugify(f"{report.title} version {version.number}") or "report"
    return private_download(
        version.storage_key, file_name=f"{name}.pdf", content_type="application/pdf"
    )


@tenant_view()
@require_POST
def report_version_retry(request, report_id, number):
    tenant = request.tenant
    report = report_or_refuse(request, report_id)
    require(selectors.may_prepare_report(request.access, report), NO_PREPARE)
    version = version_or_404(request, report, number)
    try:
        services.version_retry(**writer(request), version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url(tenant, report))
    messages.success(request, f"Version {version.number} is being produced again.")
    return redirect(status_url(tenant, version))


@tenant_view()
@require_safe
def report_kvi_xlsx(request, report_id):
    """The report's KVI table as a spreadsheet: built in the request's transaction from the
    report's inputs (the data as it stood at its freeze date)."""
    report = report_or_refuse(request, report_id)
    if report.kind != ReportKind.ORGANISATION:
        raise Http404("Only an organisation's report has a KVI table.")
    return exports.kvi_table_download(report, tenant_slug=request.tenant.slug)


VERSION = "<uuid:report_id>/versions/<int:number>/"
urlpatterns = [
    path("<uuid:report_id>/generate/", report_generate, name="report_generate"),
    path("<uuid:report_id>/kvis.xlsx", report_kvi_xlsx, name="report_kvi_xlsx"),
    path(VERSION, report_version_status, name="report_version_status"),
    path(f"{VERSION}progress/", report_version_progress, name="report_version_progress"),
    path(f"{VERSION}download/", report_version_download, name="report_version_download"),
    path(f"{VERSION}retry/", report_version_retry, name="report_version_retry"),
]
