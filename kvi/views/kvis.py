"""KVI pages: an organisation's KVI dashboard, a KVI's page with its SPC chart, and adding and
changing an organisation's KVIs.

Thin: kvi.dashboard reads, kvi.measurements writes (and checks permission again). Anyone who may
see an organisation's KVIs (the programme team, or the organisation's own staff) may read these
pages; its organisation admins and the programme's framework managers may add and change KVIs.
"""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from kvi import charts, dashboard, periods, selectors, services
from kvi.forms.kvis import FinancialYearForm, KviForm, SpcOptionsForm
from kvi.forms.measurements import describe_period
from kvi.measurements import KviInput, kvi_create, kvi_update
from kvi.models import MeasurementStatus
from kvi.views.common import crumbs, organisation_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

ICON_SIZE = 32


def may_edit_kvis(access, organisation_id) -> bool:
    """Who kvi.measurements lets add and change an organisation's KVIs."""
    return access.can(Perm.MANAGE_FRAMEWORKS) or access.can(
        Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation_id
    )


def kvi_or_404(request, kvi_id):
    kvi = dashboard.kvi_for_page(tenant=request.tenant, access=request.access, pk=kvi_id)
    if kvi is None:
        raise Http404("No such KVI, or not one you may see.")
    return kvi


def dashboard_crumb(tenant, organisation) -> tuple[str, str]:
    return (organisation.name, reverse("kvi_dashboard", args=[tenant.slug, organisation.id]))


def _icons(spc) -> dict:
    return {
        "variation": mark_safe(charts.variation_icon_svg(spc.variation_icon, size=ICON_SIZE)),
        "assurance": mark_safe(charts.assurance_icon_svg(spc.assurance_icon, size=ICON_SIZE)),
    }


# --- Dashboard -------------------------------------------------------------------------------


@tenant_view()
def kvi_dashboard(request, organisation_id):
    tenant, access = request.tenant, request.access
    organisation = organisation_or_404(request, organisation_id)
    today = timezone.localdate()
    this_year = periods.financial_year_of(today)
    year = request.GET.get("year") or this_year
    try:
        as_of = dashboard.dashboard_as_of(year, today)
    except ValueError:
        messages.error(request, f"{year} is not a financial year; showing {this_year}.")
        year, as_of = this_year, today
    board = dashboard.organisation_dashboard(
        tenant=tenant, access=access, organisation=organisation, as_of=as_of
    )
    themes = [
        {
            "name": group.name,
            "rows": [
                {
                    "kvi": summary.kvi,
                    "year_to_date": dashboard.figure_text(summary.kvi, summary.year_to_date),
                    "last_year": dashboard.figure_text(summary.kvi, summary.last_year),
                    "target": dashboard.target_text(summary.kvi),
                    "status": summary.status,
                    "awaiting_validation": summary.awaiting_validation,
                    **_icons(summary.spc),
                }
                for summary in group.summaries
            ],
        }
        for group in board.themes
    ]
    years = sorted({*board.financial_years, year}, reverse=True)

    def here(perm: Perm) -> bool:
        return access.can(perm, organisation_id=organisation.id)

    return render(
        request,
        "kvi/kvis/dashboard.html",
        {
            "organisation": organisation,
            "board": board,
            "themes": themes,
            "year": year,
            "is_current_year": year == this_year,
            "year_form": FinancialYearForm({"year": year}, years=years),
            "may_edit": may_edit_kvis(access, organisation.id),
            "may_record": here(Perm.RECORD_MEASUREMENTS),
            "may_validate": here(Perm.VALIDATE_MEASUREMENTS),
            "may_upload": here(Perm.UPLOAD_ORGANISATION_DATA),
            "breadcrumbs": crumbs(tenant, (organisation.name, "")),
        },
    )


# --- A KVI's page ----------------------------------------------------------------------------


@tenant_view()
def kvi_detail(request, kvi_id):
    tenant, access = request.tenant, request.access
    kvi = kvi_or_404(request, kvi_id)
    organisation = kvi.organisation
    today = timezone.localdate()
    page = dashboard.kvi_page(tenant=tenant, kvi=kvi, as_of=today)
    options = SpcOptionsForm(
        request.GET or None,
        initial=SpcOptionsForm.initial_for(kvi),
        periods=[(row.period.isoformat(), charts.period_label(row.period)) for row in page.counted],
    )
    settings = options.spc_settings()
    may_edit = may_edit_kvis(access, organisation.id)
    spc = dashboard.spc_of(kvi, page.counted, **settings) if settings else page.spc
    may_record = access.can(Perm.RECORD_MEASUREMENTS, organisation_id=organisation.id)
    # Drafts are the organisation's work in progress: shown to those who enter figures.
    measurements = [
        row for row in page.measurements if may_record or row.status != MeasurementStatus.DRAFT
    ]
    unit = kvi.metric.unit
    chart = charts.xmr_chart_svg(
        spc, title=f"{kvi.code} {kvi.title}: SPC chart", unit=unit, chart_id=f"kvi-{kvi.pk}"
    )
    by_year = [
        (year, dashboard.figure_text(kvi, selectors.combined_figure(kvi, list(rows))))
        for year, rows in groupby(
            page.counted, key=lambda row: periods.financial_year_of(row.period)
        )
    ]
    return render(
        request,
        "kvi/kvis/detail.html",
        {
            "kvi": kvi,
            "organisation": organisation,
            "page": page,
            "financial_year": periods.financial_year_of(today),
            "year_to_date": dashboard.figure_text(kvi, page.year_to_date),
            "last_year": dashboard.figure_text(kvi, page.last_year),
            "last_financial_year": periods.financial_year_of(dashboard.previous_year_end(today)),
            "expected": _expected_text(kvi, page.status),
            "target": dashboard.target_text(kvi),
            "baseline": _baseline_text(kvi),
            "by_year": list(reversed(by_year)),
            "rows": [
                {"measurement": row, "figure": dashboard.measurement_text(kvi, row)}
                for row in reversed(measurements)
            ],
            "revisions": dashboard.revision_rows(kvi, page.revisions),
            "spc": spc,
            "chart": mark_safe(chart),
            "variation_text": charts.VARIATION_DESCRIPTIONS.get(spc.variation_icon or ""),
            "assurance_text": charts.ASSURANCE_DESCRIPTIONS.get(spc.assurance_icon or ""),
            "options": options,
            "options_open": bool(request.GET),
            # Settings tried on the page can be kept as the KVI's own by those who edit it.
            "settings_to_keep": settings if may_edit and settings else None,
            "may_edit": may_edit,
            "may_record": may_record,
            "may_validate": access.can(Perm.VALIDATE_MEASUREMENTS, organisation_id=organisation.id),
            "breadcrumbs": crumbs(tenant, dashboard_crumb(tenant, organisation), (kvi.code, "")),
            **_icons(spc),
        },
    )


def _expected_text(kvi, status) -> str:
    """Where the target's trajectory says the KVI should be by now, if the status says."""
    expected = getattr(status, "expected", None)
    return "" if expected is None else dashboard.figure_text(kvi, expected)


def _baseline_text(kvi) -> str:
    if kvi.baseline_value is None:
        return "None given"
    text = dashboard.figure_text(kvi, kvi.baseline_value)
    if kvi.baseline_period:
        text += f" ({describe_period(kvi.baseline_period, kvi.frequency)})"
    return text


# --- Adding and changing KVIs ----------------------------------------------------------------


def _form_page(request, form, *, title, organisation, submit_label, cancel_url, extra_crumb):
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": organisation.name,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "breadcrumbs": crumbs(
                request.tenant, dashboard_crumb(request.tenant, organisation), *extra_crumb
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def kvi_add(request, organisation_id):
    tenant, access = request.tenant, request.access
    organisation = organisation_or_404(request, organisation_id)
    if not may_edit_kvis(access, organisation.id):
        raise PermissionDenied("Only the organisation's admins may add its KVIs.")
    form = KviForm(
        request.POST if request.method == "POST" else None,
        metrics=dashboard.kvi_metric_choices(tenant=tenant, organisation=organisation),
        pledges=dashboard.organisation_pledges(tenant=tenant, organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            kvi = kvi_create(
                tenant=tenant,
                actor=request.user,
                access=access,
                organisation=organisation,
                data=KviInput(**form.kvi_input_fields()),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"KVI {kvi.code} added.")
            return redirect("kvi_detail", tenant.slug, kvi.pk)
    return _form_page(
        request,
        form,
        title="Add a KVI",
        organisation=organisation,
        submit_label="Add KVI",
        cancel_url=reverse("kvi_dashboard", args=[tenant.slug, organisation.id]),
        extra_crumb=[("Add a KVI", "")],
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def kvi_edit(request, kvi_id):
    tenant, access = request.tenant, request.access
    kvi = kvi_or_404(request, kvi_id)
    organisation = kvi.organisation
    if not may_edit_kvis(access, organisation.id):
        raise PermissionDenied("Only the organisation's admins may change its KVIs.")
    form = KviForm(
        request.POST if request.method == "POST" else None,
        initial=KviForm.initial_for(kvi),
        metrics=dashboard.kvi_metric_choices(
            tenant=tenant, organisation=organisation, current=kvi.metric
        ),
        pledges=dashboard.organisation_pledges(tenant=tenant, organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            kvi_update(
                tenant=tenant,
                actor=request.user,
                access=access,
                kvi=kvi,
                data=KviInput(**form.kvi_input_fields()),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"KVI {kvi.code} changed.")
            return redirect("kvi_detail", tenant.slug, kvi.pk)
    detail_url = reverse("kvi_detail", args=[tenant.slug, kvi.pk])
    return _form_page(
        request,
        form,
        title=f"Change {kvi.code}",
        organisation=organisation,
        submit_label="Save changes",
        cancel_url=detail_url,
        extra_crumb=[(kvi.code, detail_url), ("Change", "")],
    )


@tenant_view()
@require_http_methods(["POST"])
def kvi_chart_settings(request, kvi_id):
    """Keep the chart settings tried on the KVI's page as the KVI's own (used wherever its chart
    is drawn, reports included)."""
    tenant, access = request.tenant, request.access
    kvi = kvi_or_404(request, kvi_id)
    if not may_edit_kvis(access, kvi.organisation_id):
        raise PermissionDenied("Only the organisation's admins may change how its charts work.")
    page = dashboard.kvi_page(tenant=tenant, kvi=kvi, as_of=timezone.localdate())
    options = SpcOptionsForm(
        request.POST,
        periods=[(row.period.isoformat(), charts.period_label(row.period)) for row in page.counted],
    )
    settings = options.spc_settings()
    detail_url = reverse("kvi_detail", args=[tenant.slug, kvi.pk])
    if not settings:
        messages.error(request, "The chart settings were not valid, so nothing was kept.")
        return redirect(detail_url)
    try:
        services.kvi_spc_settings_save(
            tenant=tenant, actor=request.user, access=access, kvi=kvi, **settings
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url)
    messages.success(request, f"The chart settings are now {kvi.code}'s own.")
    return redirect(f"{detail_url}#chart")


urlpatterns = [
    path("organisations/<uuid:organisation_id>/", kvi_dashboard, name="kvi_dashboard"),
    path("organisations/<uuid:organisation_id>/new/", kvi_add, name="kvi_add"),
    path("<uuid:kvi_id>/", kvi_detail, name="kvi_detail"),
    path("<uuid:kvi_id>/edit/", kvi_edit, name="kvi_edit"),
    path("<uuid:kvi_id>/chart-settings/", kvi_chart_settings, name="kvi_chart_settings"),
]
