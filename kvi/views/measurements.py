"""KVI pages: figures (measurements). Organisation staff enter a figure for a period (a value,
or a numerator and denominator; a note, a source and an evidence file), save it as a draft or
submit it; the organisation admin validates it or returns it with a reason; a submitted figure
is changed only by a correction with a reason, kept as a revision. (Validating and returning:
kvi/views/validation.py.)

Thin: kvi.dashboard and kvi.evidence read, kvi.measurements and kvi.evidence write (and check
permission again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kvi import dashboard, evidence, measurements
from kvi.forms.measurements import (
    SUBMIT,
    CorrectionForm,
    MeasurementForm,
    describe_period,
    period_choices,
)
from kvi.models import Measurement, MeasurementStatus
from kvi.views.common import crumbs
from kvi.views.kvis import dashboard_crumb, kvi_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

MS = MeasurementStatus


def measurement_or_404(request, measurement_id) -> Measurement:
    """A figure this person may see; drafts only for those who enter the organisation's
    figures (a draft is work in progress)."""
    measurement = dashboard.measurement_get(
        tenant=request.tenant, access=request.access, pk=measurement_id
    )
    if measurement is None or (
        measurement.status == MS.DRAFT and not may_record_for(request, measurement.kvi)
    ):
        raise Http404("No such figure, or not one you may see.")
    return measurement


def may_record_for(request, kvi) -> bool:
    return request.access.can(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)


def may_validate_for(request, kvi) -> bool:
    return request.access.can(Perm.VALIDATE_MEASUREMENTS, organisation_id=kvi.organisation_id)


def period_text(measurement: Measurement) -> str:
    return describe_period(measurement.period, measurement.kvi.frequency)


def figure_crumbs(request, kvi, *rest):
    tenant = request.tenant
    return crumbs(
        tenant,
        dashboard_crumb(tenant, kvi.organisation),
        (kvi.code, reverse("kvi_detail", args=[tenant.slug, kvi.pk])),
        *rest,
    )


def to_detail(request, measurement):
    return redirect("measurement_detail", request.tenant.slug, measurement.pk)


def _save_figure(request, form: MeasurementForm, kvi, period):
    """Record the figure, submit it if asked, and keep the evidence file, all or nothing:
    a refused file leaves the figure unsaved and the form shows why."""
    who = {"tenant": request.tenant, "actor": request.user, "access": request.access}
    submit = request.POST.get("action") == SUBMIT
    try:
        with transaction.atomic():
            measurement = measurements.measurement_record(
                **who,
                kvi=kvi,
                period=period,
                note=form.cleaned_data["note"],
                source=form.cleaned_data["source"],
                **form.figures(),
            )
            if submit:
                measurement = measurements.measurement_submit(**who, measurement=measurement)
            upload = form.cleaned_data.get("file")
            if upload:
                # Last: a refused file is refused before anything is stored.
                evidence.measurement_evidence_add(
                    **who, measurement=measurement, uploaded_file=upload
                )
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    label = describe_period(measurement.period, kvi.frequency)
    if submit:
        messages.success(request, f"Figure for {label} submitted for validation.")
    else:
        messages.success(request, f"Figure for {label} saved as a draft. Submit it when ready.")
    return measurement


# --- Entering and changing a draft -----------------------------------------------------------


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_enter(request, kvi_id):
    tenant = request.tenant
    kvi = kvi_or_404(request, kvi_id)
    if not may_record_for(request, kvi):
        raise PermissionDenied("Only the organisation's staff may enter its figures.")
    today = timezone.localdate()
    recorded = {
        period: MS(status).label.lower()
        for period, status in dashboard.kvi_periods_recorded(tenant=tenant, kvi=kvi).items()
    }
    options = period_choices(kvi, today=today, recorded=recorded)
    # Asked for (a link's ?period=), else the latest complete period still without a figure.
    taken = {period.isoformat() for period in recorded}
    initial = {
        "period": request.GET.get("period")
        or next((value for value, _ in options[1:] if value not in taken), "")
    }
    form = MeasurementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        kvi=kvi,
        period_options=options,
    )
    if request.method == "POST" and form.is_valid():
        measurement = _save_figure(request, form, kvi, form.cleaned_data["period"])
        if measurement is not None:
            return to_detail(request, measurement)
    return render(
        request,
        "kvi/measurements/enter.html",
        {
            "form": form,
            "kvi": kvi,
            "title": "Enter a figure",
            "cancel_url": reverse("kvi_detail", args=[tenant.slug, kvi.pk]),
            "breadcrumbs": figure_crumbs(request, kvi, ("Enter a figure", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_edit(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    if not may_record_for(request, kvi):
        raise PermissionDenied("Only the organisation's staff may change its figures.")
    if measurement.status != MS.DRAFT:
        messages.info(
            request,
            f"The figure is {measurement.get_status_display().lower()}: correct it, saying why.",
        )
        return redirect("measurement_correct", request.tenant.slug, measurement.pk)
    initial = {
        "value": dashboard.plain_number(measurement.value),
        "numerator": dashboard.plain_number(measurement.numerator),
        "denominator": dashboard.plain_number(measurement.denominator),
        "note": measurement.note,
        "source": measurement.source,
    }
    form = MeasurementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        kvi=kvi,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_figure(request, form, kvi, measurement.period)
        if saved is not None:
            return to_detail(request, saved)
    period = period_text(measurement)
    return render(
        request,
        "kvi/measurements/enter.html",
        {
            "form": form,
            "kvi": kvi,
            "measurement": measurement,
            "title": f"Change the draft figure for {period}",
            "cancel_url": reverse("measurement_detail", args=[request.tenant.slug, measurement.pk]),
            "breadcrumbs": figure_crumbs(request, kvi, (period, ""), ("Change", "")),
        },
    )


# --- One figure ------------------------------------------------------------------------------


@tenant_view()
def measurement_detail(request, measurement_id):
    tenant = request.tenant
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    revisions = dashboard.revision_rows(
        kvi, dashboard.measurement_revisions(tenant=tenant, measurement=measurement)
    )
    may_record = may_record_for(request, kvi)
    period = period_text(measurement)
    return render(
        request,
        "kvi/measurements/detail.html",
        {
            "measurement": measurement,
            "kvi": kvi,
            "period": period,
            "figure": dashboard.measurement_text(kvi, measurement),
            "evidence_files": list(
                evidence.measurement_evidence_list(tenant=tenant, measurement=measurement)
            ),
            "revisions": revisions,
            "may_record": may_record,
            "may_validate": may_validate_for(request, kvi),
            "is_draft": measurement.status == MS.DRAFT,
            "is_submitted": measurement.status == MS.SUBMITTED,
            "breadcrumbs": figure_crumbs(request, kvi, (period, "")),
        },
    )


@tenant_view()
@require_POST
def measurement_submit(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    try:
        measurements.measurement_submit(
            tenant=request.tenant,
            actor=request.user,
            access=request.access,
            measurement=measurement,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Figure for {period_text(measurement)} submitted for validation."
        )
    return to_detail(request, measurement)


# --- Corrections -----------------------------------------------------------------------------


@tenant_view()
@require_http_methods(["GET", "POST"])
def measurement_correct(request, measurement_id):
    measurement = measurement_or_404(request, measurement_id)
    kvi = measurement.kvi
    if not may_record_for(request, kvi):
        raise PermissionDenied("Only the organisation's staff may correct its figures.")
    if measurement.status == MS.DRAFT:
        return redirect("measurement_edit", request.tenant.slug, measurement.pk)
    old = dashboard.measurement_text(kvi, measurement)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"note": measurement.note},
        kvi=kvi,
    )
    period = period_text(measurement)
    if request.method == "POST" and form.is_valid():
        try:
            corrected, _ = measurements.measurement_correct(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                measurement=measurement,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                **form.figures(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Figure for {period} corrected from {old} to "
                f"{dashboard.measurement_text(kvi, corrected)}. It waits for validation again.",
            )
            return to_detail(request, corrected)
    return render(
        request,
        "kvi/measurements/correct.html",
        {
            "form": form,
            "measurement": measurement,
            "kvi": kvi,
            "period": period,
            "figure": old,
            "cancel_url": reverse("measurement_detail", args=[request.tenant.slug, measurement.pk]),
            "breadcrumbs": figure_crumbs(request, kvi, (period, ""), ("Correct", "")),
        },
    )


urlpatterns = [
    path("<uuid:kvi_id>/figures/new/", measurement_enter, name="measurement_enter"),
    path("figures/<uuid:measurement_id>/", measurement_detail, name="measurement_detail"),
    path("figures/<uuid:measurement_id>/edit/", measurement_edit, name="measurement_edit"),
    path("figures/<uuid:measurement_id>/submit/", measurement_submit, name="measurement_submit"),
    path(
        "figures/<uuid:measurement_id>/correct/",
        measurement_correct,
        name="measurement_correct",
    ),
]
