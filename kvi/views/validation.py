"""KVI pages: validation. The organisation admin sees the figures waiting for validation,
validates each or returns it with a reason (a confirmation page), from the queue or the figure.

Thin: kvi.dashboard reads, kvi.measurements writes (and checks permission again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from kvi import dashboard, measurements
from kvi.forms.measurements import ReturnForm
from kvi.views.common import crumbs, organisation_or_404
from kvi.views.kvis import dashboard_crumb
from kvi.views.measurements import (
    figure_crumbs,
    may_validate_for,
    measurement_or_404,
    period_text,
    to_detail,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view()
def validation_queue(request, organisation_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id, Perm.VALIDATE_MEASUREMENTS)
    rows = [
        {
            "measurement": measurement,
            "period": period_text(measurement),
            "figure": dashboard.measurement_text(measurement.kvi, measurement),
        }
        for measurement in dashboard.validation_queue(tenant=tenant, organisation=organisation)
    ]
    return render(
        request,
        "kvi/measurements/validation_queue.html",
        {
            "organisation": organisation,
            "rows": rows,
            "breadcrumbs": crumbs(
                tenant, dashboard_crumb(tenant, organisation), ("Waiting for validation", "")
            ),
        },
    )


def _back_to(request, measurement):
    """After validating or returning: the queue the person came from, or the figure."""
    if request.POST.get("next") == "queue":
        return redirect(
            "measurement_validation_queue", request.tenant.slug, measurement.kvi.organisation_id
        )
    return to_detail(request, measurement)


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_validate(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    if not may_validate_for(request, kvi):
        raise PermissionDenied("Only the organisation's admins may validate its figures.")
    period = period_text(measurement)
    if request.method == "POST":
        try:
            measurements.measurement_validate(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                measurement=measurement,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return to_detail(request, measurement)
        messages.success(request, f"{kvi.code}: figure for {period} validated.")
        return _back_to(request, measurement)
    return render(
        request,
        "kvi/measurements/validate.html",
        {
            "measurement": measurement,
            "kvi": kvi,
            "period": period,
            "figure": dashboard.measurement_text(kvi, measurement),
            "breadcrumbs": figure_crumbs(request, kvi, (period, ""), ("Validate", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_return(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    if not may_validate_for(request, kvi):
        raise PermissionDenied("Only the organisation's admins may return its figures.")
    form = ReturnForm(request.POST if request.method == "POST" else None)
    period = period_text(measurement)
    if request.method == "POST" and form.is_valid():
        try:
            measurements.measurement_return(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                measurement=measurement,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{kvi.code}: figure for {period} returned to be corrected.")
            return _back_to(request, measurement)
    return render(
        request,
        "kvi/measurements/return.html",
        {
            "form": form,
            "measurement": measurement,
            "kvi": kvi,
            "period": period,
            "figure": dashboard.measurement_text(kvi, measurement),
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "breadcrumbs": figure_crumbs(request, kvi, (period, ""), ("Return", "")),
        },
    )


# --- Corrections -----------------------------------------------------------------------------


urlpatterns = [
    path(
        "organisations/<uuid:organisation_id>/to-validate/",
        validation_queue,
        name="measurement_validation_queue",
    ),
    path(
        "figures/<uuid:measurement_id>/validate/",
        measurement_validate,
        name="measurement_validate",
    ),
    path("figures/<uuid:measurement_id>/return/", measurement_return, name="measurement_return"),
]
