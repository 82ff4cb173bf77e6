"""KVI pages: evidence files on figures. Adding one (the organisation's staff), downloading one
(anyone who may see the figure: permission is checked again on every download) and removing
one from a draft figure, after a confirmation page.

Thin: kvi.evidence reads and writes; uploads.responses serves the file as an attachment."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from kvi import evidence
from kvi.forms.measurements import EvidenceForm
from kvi.models import MeasurementStatus
from kvi.views.measurements import figure_crumbs, may_record_for, measurement_or_404, period_text
from tenancy.decorators import tenant_view
from uploads.responses import private_download


def evidence_or_404(request, evidence_id):
    """An evidence file this person may see (drafts' files only for those who enter figures)."""
    found = evidence.measurement_evidence_get(
        tenant=request.tenant, access=request.access, pk=evidence_id
    )
    if found is None or (
        found.measurement.status == MeasurementStatus.DRAFT
        and not may_record_for(request, found.measurement.kvi)
    ):
        raise Http404("No such evidence file, or not one you may see.")
    return found


@tenant_view()
@require_http_methods(["GET", "POST"])
def evidence_add(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    if not may_record_for(request, kvi):
        raise PermissionDenied("Only the organisation's staff may add evidence to its figures.")
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    period = period_text(measurement)
    if request.method == "POST" and form.is_valid():
        try:
            added = evidence.measurement_evidence_add(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                measurement=measurement,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{added.file_name} added as evidence for {period}.")
            return redirect("measurement_detail", request.tenant.slug, measurement.pk)
    detail_url = reverse("measurement_detail", args=[request.tenant.slug, measurement.pk])
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add an evidence file",
            "caption": f"{kvi.code}, {period}",
            "intro": "The file is kept privately with the figure. Anyone who may see the figure "
            "may download it.",
            "submit_label": "Add file",
            "cancel_url": detail_url,
            "breadcrumbs": figure_crumbs(request, kvi, (period, detail_url), ("Add evidence", "")),
        },
    )


@tenant_view()
def evidence_download(request, evidence_id):
    found = evidence_or_404(request, evidence_id)
    return private_download(
        found.storage_key, file_name=found.file_name, content_type=found.content_type
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def evidence_remove(request, evidence_id):
    found = evidence_or_404(request, evidence_id)
    measurement = found.measurement
    kvi = measurement.kvi
    if not may_record_for(request, kvi):
        raise PermissionDenied("Only the organisation's staff may remove its evidence.")
    period = period_text(measurement)
    detail_url = reverse("measurement_detail", args=[request.tenant.slug, measurement.pk])
    refusal = ""
    if measurement.status != MeasurementStatus.DRAFT:
        refusal = (
            f"The figure is {measurement.get_status_display().lower()}, so its evidence stays "
            "with it as part of what was checked. You can add a newer file instead."
        )
    if request.method == "POST":
        try:
            evidence.measurement_evidence_remove(
                tenant=request.tenant, actor=request.user, access=request.access, evidence=found
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{found.file_name} removed.")
        return redirect(detail_url)
    return render(
        request,
        "kvi/measurements/evidence_remove.html",
        {
            "evidence": found,
            "measurement": measurement,
            "kvi": kvi,
            "period": period,
            "refusal": refusal,
            "detail_url": detail_url,
            "breadcrumbs": figure_crumbs(
                request, kvi, (period, detail_url), (f"Remove {found.file_name}", "")
            ),
        },
    )


urlpatterns = [
    path("figures/<uuid:measurement_id>/evidence/new/", evidence_add, name="evidence_add"),
    path("evidence/<uuid:evidence_id>/", evidence_download, name="evidence_download"),
    path("evidence/<uuid:evidence_id>/remove/", evidence_remove, name="evidence_remove"),
]
