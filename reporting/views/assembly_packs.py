"""An Anchor Assembly's progress pack, from the assembly's page (the anchors app links here by
URL name; it imports nothing of reporting): the assembly's pack report if it has one, else
a confirmation to prepare it.

Another programme's assembly (or none) is not found (404). The pack is an assembly report,
so tenant-wide reporting roles only (reporting.selectors): people who may see reports are
taken to it, people who may prepare reports may start it, everyone else is refused (403)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from reporting import selectors, services
from reporting.models import ReportKind
from reporting.views.common import crumbs, detail_url, require, writer
from tenancy.decorators import tenant_view

NO_PACK = (
    "You do not have permission to see or prepare the Anchor Assembly progress pack. "
    "The programme team shares the pack with members."
)


def pack_title(assembly) -> str:
    return f"Anchor Assembly progress pack: {assembly.held_on:%-d %B %Y}"


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_assembly_pack(request, assembly_id):
    tenant, access = request.tenant, request.access
    assembly = selectors.report_assembly_get(
        tenant=tenant, pk=assembly_id, lock=request.method == "POST"
    )
    if assembly is None:
        raise Http404("No such assembly in this programme.")
    report = selectors.assembly_pack_report(tenant=tenant, assembly=assembly)
    if report is not None and selectors.may_view_report(access, report):
        return redirect(detail_url(tenant, report))
    require(report is None and selectors.may_create_kind(access, ReportKind.ASSEMBLY), NO_PACK)
    if request.method == "POST":
        report = services.report_create(
            **writer(request),
            kind=ReportKind.ASSEMBLY,
            assembly=assembly,
            title=pack_title(assembly),
        )
        messages.success(
            request,
            f"{report.title} started. Fill in the cover sheet and narrative, then generate "
            "the PDF.",
        )
        return redirect("report_edit", tenant.slug, report.pk)
    title = "Prepare the progress pack"
    return render(
        request,
        "reporting/assembly_pack_prepare.html",
        {
            "assembly": assembly,
            "title": title,
            "pack_title": pack_title(assembly),
            "cancel_url": reverse("anchor_assembly_detail", args=[tenant.slug, assembly.pk]),
            "breadcrumbs": crumbs(tenant, (title, "")),
        },
    )


urlpatterns = [
    path(
        "assemblies/<uuid:assembly_id>/pack/",
        report_assembly_pack,
        name="report_assembly_pack",
    ),
]
