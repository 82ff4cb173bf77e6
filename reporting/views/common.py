"""What every report page shares: breadcrumbs through "Reports", and the look-ups that answer
404 for a report of another programme (or none) and 403 for a report seen but not theirs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from reporting import selectors
from reporting.models import Report, ReportVersion

REFUSED = "You do not have permission to see this report."


def crumbs(tenant, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through "Reports" to `rest` ((label, url) pairs,
    the current page's url empty)."""
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Reports", reverse("report_list", args=[tenant.slug])),
        *rest,
    ]


def report_crumbs(tenant, report: Report, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(tenant, (report.title, detail_url(tenant, report)), *rest)


def detail_url(tenant, report: Report) -> str:
    return reverse("report_detail", args=[tenant.slug, report.pk])


def status_url(tenant, version: ReportVersion) -> str:
    return reverse("report_version_status", args=[tenant.slug, version.report_id, version.number])


def download_url(tenant, version: ReportVersion) -> str:
    return reverse("report_version_download", args=[tenant.slug, version.report_id, version.number])


def report_or_refuse(request, report_id) -> Report:
    """The report if this person may see it; 403 when it is this programme's but not theirs,
    404 when there is no such report here."""
    tenant = request.tenant
    report = selectors.report_get(tenant=tenant, access=request.access, pk=report_id)
    if report is not None:
        return report
    if selectors.report_exists(tenant=tenant, pk=report_id):
        raise PermissionDenied(REFUSED)
    raise Http404("No such report in this programme.")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def version_or_404(request, report: Report, number: int) -> ReportVersion:
    version = selectors.version_get(tenant=request.tenant, report=report, number=number)
    if version is None:
        raise Http404("This report has no such version.")
    return version


def writer(request) -> dict:
    return {"tenant": request.tenant, "actor": request.user, "access": request.access}


def posted(request):
    return request.POST if request.method == "POST" else None
