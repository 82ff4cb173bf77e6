"""A framework version's metric library and crosswalks as CSV files: download them, and import
them into a draft (an upload page that lists every bad row by row number and column, and
imports nothing until the file is clean). Tenant admins only (MANAGE_FRAMEWORKS).

Thin: kvi.library reads, checks and writes (and checks permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from kvi import library
from kvi.forms.frameworks import LibraryUploadForm
from kvi.library_checks import (
    CROSSWALK_COLUMNS,
    CROSSWALK_REQUIRED,
    LIBRARY_COLUMNS,
    LIBRARY_REQUIRED,
)
from kvi.views.framework_common import draft_or_redirect, framework_crumbs, framework_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

IMPORTS = {
    "library": {
        "service": library.library_import,
        "title": "Import a metric library",
        "columns": LIBRARY_COLUMNS,
        "required": LIBRARY_REQUIRED,
        "noun": "metrics",
    },
    "crosswalks": {
        "service": library.crosswalk_import,
        "title": "Import crosswalks",
        "columns": CROSSWALK_COLUMNS,
        "required": CROSSWALK_REQUIRED,
        "noun": "crosswalks",
    },
}


def _kind_or_404(kind: str) -> str:
    if kind not in library.EXPORT_KINDS:
        raise Http404("A framework exports its library and its crosswalks only.")
    return kind


@tenant_view(Perm.MANAGE_FRAMEWORKS)
def library_download(request, framework_id, kind):
    """The library or the crosswalks as a CSV attachment, built inside the request."""
    _kind_or_404(kind)
    framework = framework_or_404(request, framework_id)
    text = library.library_export(
        tenant=request.tenant,
        actor=request.user,
        access=request.access,
        framework=framework,
        kind=kind,
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    file_name = f"{slugify(framework.name)}-v{framework.version}-{kind}.csv"
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _summary(result, noun: str) -> str:
    return (
        f"Imported {result.rows} row{'s' if result.rows != 1 else ''} of {noun}: "
        f"{len(result.created)} added, {len(result.updated)} changed, "
        f"{result.unchanged} unchanged."
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def library_import(request, framework_id, kind):
    tenant = request.tenant
    settings = IMPORTS[_kind_or_404(kind)]
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    form = LibraryUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = settings["service"](
                tenant=tenant,
                actor=request.user,
                access=request.access,
                framework=framework,
                uploaded_file=upload,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            if not result.refused:
                messages.success(request, _summary(result, settings["noun"]))
                return redirect("framework_detail", tenant.slug, framework.pk)
            rows = len({error.row for error in result.errors})
            form.add_error(
                "file",
                f"{upload.name} has problems in {rows} row{'s' if rows != 1 else ''}, listed "
                "below: nothing was imported. Correct the file and upload it again.",
            )
    return render(
        request,
        "kvi/frameworks/library_import.html",
        {
            "form": form,
            "framework": framework,
            "kind": kind,
            "title": settings["title"],
            "columns": settings["columns"],
            "required": settings["required"],
            "errors": result.errors if result else [],
            "breadcrumbs": framework_crumbs(tenant, framework, (settings["title"], "")),
            "download_url": reverse("library_download", args=[tenant.slug, framework.pk, kind]),
            "cancel_url": reverse("framework_detail", args=[tenant.slug, framework.pk]),
        },
    )


urlpatterns = [
    path(
        "frameworks/<uuid:framework_id>/<str:kind>.csv",
        library_download,
        name="library_download",
    ),
    path(
        "frameworks/<uuid:framework_id>/<str:kind>/import/",
        library_import,
        name="library_import",
    ),
]
