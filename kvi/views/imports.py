"""Bulk import of KVI measurements: the organisation's imports, starting one (with the template
to download), the job page (progress, preview, error report, "Import"), cancelling, and the
error report as CSV.

Only people who record the organisation's figures (RECORD_MEASUREMENTS: its admins and members)
open these pages; anyone else in the programme gets 403, and another programme's imports are
404. Thin: kvi.imports_jobs reads and writes, kvi.imports_files builds the template.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from kvi import imports_files, imports_jobs
from kvi.forms.imports import MeasurementImportConfirmForm, MeasurementImportForm
from kvi.imports_values import figure_kind
from kvi.models import ImportStatus
from kvi.views.common import crumbs, organisation_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

S = ImportStatus
JOBS_PER_PAGE = 25
ERRORS_PER_PAGE = 100
REFRESH_SECONDS = 3
TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _organisation(request, organisation_id):
    return organisation_or_404(request, organisation_id, Perm.RECORD_MEASUREMENTS)


def _job_or_404(request, job_id):
    job = imports_jobs.import_job_get(tenant=request.tenant, access=request.access, job_id=job_id)
    if job is None:
        raise Http404("No such import in this programme.")
    return job


def _list_crumb(tenant, organisation) -> tuple[str, str]:
    url = reverse("measurement_import_list", args=[tenant.slug, organisation.id])
    return (f"{organisation.name}: imports", url)


@tenant_view()
def measurement_import_list(request, organisation_id):
    tenant = request.tenant
    organisation = _organisation(request, organisation_id)
    jobs = imports_jobs.import_job_list(tenant=tenant, organisation=organisation)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "kvi/imports/job_list.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "querystring": "",
            "breadcrumbs": crumbs(tenant, (f"{organisation.name}: imports", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_import_start(request, organisation_id):
    tenant = request.tenant
    organisation = _organisation(request, organisation_id)
    form = MeasurementImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = imports_jobs.measurement_import_start(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                organisation=organisation,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{job.file_name} is uploaded and being checked.")
            return redirect("import_job_detail", tenant.slug, job.pk)
    kvis = imports_files.template_kvis(tenant=tenant, organisation=organisation)
    return render(
        request,
        "kvi/imports/start.html",
        {
            "organisation": organisation,
            "form": form,
            "kvis": [
                {
                    "kvi": kvi,
                    "enter": figure_kind(kvi),
                    "periods_start": imports_files.PERIODS_START.get(kvi.frequency, ""),
                }
                for kvi in kvis
            ],
            "breadcrumbs": crumbs(
                tenant, _list_crumb(tenant, organisation), ("Import figures", "")
            ),
        },
    )


@tenant_view()
def measurement_import_template(request, organisation_id, file_format):
    if file_format not in TEMPLATE_FORMATS:
        raise Http404("Templates come as CSV or XLSX.")
    organisation = _organisation(request, organisation_id)
    kvis = imports_files.template_kvis(tenant=request.tenant, organisation=organisation)
    build = imports_files.template_csv if file_format == "csv" else imports_files.template_xlsx
    response = HttpResponse(build(kvis), content_type=TEMPLATE_FORMATS[file_format])
    name = f"{slugify(organisation.name) or 'organisation'}-kvi-figures.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _error_rows(job) -> int:
    """How many rows of the file have problems (row 0 and 1 are the file and its headings)."""
    return len({error["row"] for error in job.errors if error["row"] and error["row"] > 1})


@tenant_view()
@require_http_methods(["GET", "POST"])
def import_job_detail(request, job_id):
    tenant = request.tenant
    job = _job_or_404(request, job_id)
    form = None
    if job.status == S.CHECKED:
        form = MeasurementImportConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            messages.error(
                request, f"This file cannot be imported now: {job.get_status_display()}."
            )
            return redirect("import_job_detail", tenant.slug, job.pk)
        if form.is_valid():
            try:
                imports_jobs.measurement_import_confirm(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    job=job,
                    submit=form.submit,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Importing the figures of {job.file_name}.")
                return redirect("import_job_detail", tenant.slug, job.pk)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    count = errors.paginator.count
    errors_caption = f"{count:,} problem{'' if count == 1 else 's'}"
    if errors.paginator.num_pages > 1:
        errors_caption += f" (page {errors.number} of {errors.paginator.num_pages})"
    expected = job.summary.get("expected", {}) if job.status == S.CHECKED else {}
    return render(
        request,
        "kvi/imports/job_detail.html",
        {
            "job": job,
            "organisation": job.organisation,
            "form": form,
            "working": job.status in imports_jobs.WORKING,
            "progress": imports_jobs.progress_get(job),
            "refresh_seconds": REFRESH_SECONDS,
            "errors_page": errors,
            "errors_caption": errors_caption,
            "page_obj": errors,
            "querystring": "",
            "expected": expected,
            "import_label": f"Import {job.total_rows:,} figure{'' if job.total_rows == 1 else 's'}",
            "error_rows": _error_rows(job),
            "can_cancel": job.status in imports_jobs.CANCELLABLE,
            "breadcrumbs": crumbs(
                tenant, _list_crumb(tenant, job.organisation), (job.file_name, "")
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def import_job_cancel(request, job_id):
    tenant = request.tenant
    job = _job_or_404(request, job_id)
    if job.status not in imports_jobs.CANCELLABLE:
        messages.error(request, f"This import cannot be cancelled: {job.get_status_display()}.")
        return redirect("import_job_detail", tenant.slug, job.pk)
    if request.method == "POST":
        try:
            imports_jobs.measurement_import_cancel(
                tenant=tenant, actor=request.user, access=request.access, job=job
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("import_job_detail", tenant.slug, job.pk)
        messages.success(request, f"The import of {job.file_name} is cancelled.")
        return redirect("measurement_import_list", tenant.slug, job.organisation_id)
    return render(
        request,
        "kvi/imports/cancel.html",
        {
            "job": job,
            "breadcrumbs": crumbs(
                tenant,
                _list_crumb(tenant, job.organisation),
                (job.file_name, reverse("import_job_detail", args=[tenant.slug, job.pk])),
                ("Cancel", ""),
            ),
        },
    )


@tenant_view()
def import_job_errors(request, job_id):
    """The error report as CSV: row, column, problem."""
    job = _job_or_404(request, job_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "column", "problem"])
    for error in job.errors:
        writer.writerow(
            [error["row"] or "file", error["column"], imports_files.safe_text(error["message"])]
        )
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type=TEMPLATE_FORMATS["csv"]
    )
    stem = job.file_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(stem) or "import"}-errors.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path(
        "organisations/<uuid:organisation_id>/imports/",
        measurement_import_list,
        name="measurement_import_list",
    ),
    path(
        "organisations/<uuid:organisation_id>/imports/new/",
        measurement_import_start,
        name="measurement_import_start",
    ),
    path(
        "organisations/<uuid:organisation_id>/imports/template.<str:file_format>",
        measurement_import_template,
        name="measurement_import_template",
    ),
    path("imports/<uuid:job_id>/", import_job_detail, name="import_job_detail"),
    path("imports/<uuid:job_id>/cancel/", import_job_cancel, name="import_job_cancel"),
    path("imports/<uuid:job_id>/errors.csv", import_job_errors, name="import_job_errors"),
]
