"""The report pages: the list (search, kind, pages), starting a report, a report's page (its
cover sheet, "Generate PDF", the history of its PDFs and its schedules), the draft form and
deleting a draft that was never generated.

Who may do what is reporting.selectors' rule (may_view_report, may_prepare_report, ...):
tenant admins and board reporters every report, an organisation's admins their own
organisation's. Another programme's report is not found (404); one of this programme's that
the person may not see is refused (403). Thin: selectors read, services write (and check
again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from reporting import selectors, services
from reporting.forms import (
    GENERAL_NARRATIVE,
    ReportCreateForm,
    ReportEditForm,
    ReportSearchForm,
)
from reporting.models import COVER_SHEET_FIELDS, ReportKind, VersionStatus
from reporting.services import REPORT_FIELDS
from reporting.views.common import (
    crumbs,
    detail_url,
    posted,
    report_crumbs,
    report_or_refuse,
    require,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25
NO_REPORTS = "You do not have permission to see reports in this programme."
NO_PREPARE = "You do not have permission to prepare this report."


# --- The list ----------------------------------------------------------------------------------


@tenant_view()
@require_safe
def report_list(request):
    tenant, access = request.tenant, request.access
    require(selectors.may_use_reports(access), NO_REPORTS)
    form = ReportSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"search": "", "kind": ""}
    reports = selectors.report_list(tenant=tenant, access=access, **filters)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "reporting/report_list.html",
        {
            "form": form,
            "page_obj": page,
            "reports": list(page.object_list),
            "is_filtered": bool(filters["search"] or filters["kind"]),
            "sees_all": access.can(Perm.VIEW_REPORTS),
            "may_create": access.can(Perm.PREPARE_REPORTS)
            or access.can_for_any_organisation(Perm.MANAGE_OWN_REPORTS),
            "may_manage_settings": access.can(Perm.MANAGE_TENANT_SETTINGS),
            "querystring": querystring.urlencode(),
            "breadcrumbs": crumbs(tenant)[:-1] + [("Reports", "")],
        },
    )


# --- Starting a report -------------------------------------------------------------------------


def _creatable_kinds(access, organisations) -> list[str]:
    if access.can(Perm.PREPARE_REPORTS):
        return list(ReportKind.values)
    return [ReportKind.ORGANISATION] if organisations else []


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_create(request):
    tenant, access = request.tenant, request.access
    organisations = selectors.report_organisation_choices(tenant=tenant, access=access)
    kinds = _creatable_kinds(access, organisations)
    require(bool(kinds), "You do not have permission to prepare reports in this programme.")
    form = ReportCreateForm(
        posted(request),
        kinds=kinds,
        organisations=organisations,
        assemblies=selectors.report_assembly_choices(tenant=tenant)
        if ReportKind.ASSEMBLY in kinds
        else [],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create(
                **writer(request),
                kind=data["kind"],
                organisation=data["organisation"],
                assembly=data["assembly"],
                title=data["title"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{report.title} started. Fill in the cover sheet and narrative, then generate "
                "the PDF.",
            )
            return redirect("report_edit", tenant.slug, report.pk)
    title = "Prepare a report"
    return render(
        request,
        "reporting/report_create.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("report_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(tenant, (title, "")),
        },
    )


# --- A report's page ---------------------------------------------------------------------------

COVER_ROWS = (
    ("Meeting", "meeting"),
    ("Agenda item", "agenda_item"),
    ("Enclosure", "enclosure"),
    ("Lead director", "lead_director"),
    ("Author(s)", "authors"),
    ("Action required", "action_required"),
    ("Purpose of the report", "purpose"),
    ("Executive summary", "executive_summary"),
    ("Recommendation", "recommendation"),
)


@tenant_view()
@require_safe
def report_detail(request, report_id):
    tenant, access = request.tenant, request.access
    report = report_or_refuse(request, report_id)
    versions = list(selectors.version_list(tenant=tenant, report=report))
    may_schedule = selectors.may_schedule_report(access, report)
    schedules = list(selectors.schedule_list(tenant=tenant, report=report)) if may_schedule else []
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "cover_rows": [(label, getattr(report, name)) for label, name in COVER_ROWS],
            "versions": versions,
            "in_progress": next(
                (v for v in versions if v.status in (VersionStatus.QUEUED, VersionStatus.RUNNING)),
                None,
            ),
            "has_ready": any(v.status == VersionStatus.READY for v in versions),
            "schedules": schedules,
            "may_prepare": selectors.may_prepare_report(access, report),
            "may_schedule": may_schedule,
            "may_delete": not versions and selectors.may_prepare_report(access, report),
            "breadcrumbs": crumbs(tenant, (report.title, "")),
        },
    )


# --- The draft ---------------------------------------------------------------------------------


def _themes(tenant, report) -> list[str]:
    """The report's themes (or one general narrative), then any theme it already has a
    narrative for that the framework no longer has, so nothing written is lost."""
    themes = selectors.report_narrative_themes(tenant=tenant, report=report) or [GENERAL_NARRATIVE]
    return themes + [name for name in (report.narratives or {}) if name not in themes]


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_edit(request, report_id):
    tenant, access = request.tenant, request.access
    report = report_or_refuse(request, report_id)
    require(selectors.may_prepare_report(access, report), NO_PREPARE)
    themes = _themes(tenant, report)
    form = ReportEditForm(
        posted(request),
        actions=selectors.action_choices(tenant=tenant),
        themes=themes,
        kvis=selectors.report_chart_kvis(tenant=tenant, report=report),
        allow_charts=report.kind == ReportKind.ORGANISATION,
        initial=ReportEditForm.initial_for(report, themes),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(**writer(request), report=report, **form.values(report))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The draft is saved. Generate the PDF when it is ready.")
            return redirect(detail_url(tenant, report))
    title = "Edit the draft"
    return render(
        request,
        "reporting/report_edit.html",
        {
            "form": form,
            "report": report,
            "title": title,
            "cover_fields": form.fields_in(COVER_SHEET_FIELDS),
            "report_fields": form.fields_in(REPORT_FIELDS),
            "narrative_fields": form.narrative_fields(),
            "has_themes": themes != [GENERAL_NARRATIVE],
            "cancel_url": detail_url(tenant, report),
            "breadcrumbs": report_crumbs(tenant, report, (title, "")),
        },
    )


# --- Deleting a draft --------------------------------------------------------------------------


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_delete(request, report_id):
    tenant, access = request.tenant, request.access
    report = report_or_refuse(request, report_id)
    require(selectors.may_prepare_report(access, report), NO_PREPARE)
    if request.method == "POST":
        try:
            services.report_delete(**writer(request), report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(detail_url(tenant, report))
        messages.success(request, f"{report.title} deleted.")
        return redirect("report_list", tenant.slug)
    title = "Delete this report?"
    return render(
        request,
        "reporting/report_delete.html",
        {
            "report": report,
            "title": title,
            "has_versions": selectors.version_list(tenant=tenant, report=report).exists(),
            "cancel_url": detail_url(tenant, report),
            "breadcrumbs": report_crumbs(tenant, report, (title, "")),
        },
    )


REPORT = "<uuid:report_id>/"
urlpatterns = [
    path("", report_list, name="report_list"),
    path("new/", report_create, name="report_create"),
    path(REPORT, report_detail, name="report_detail"),
    path(f"{REPORT}edit/", report_edit, name="report_edit"),
    path(f"{REPORT}delete/", report_delete, name="report_delete"),
]
