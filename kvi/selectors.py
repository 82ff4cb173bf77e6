"""Reads for the KVI engine: postcode releases, local areas, spend-ledger imports, frameworks,
KVIs, their series, year-to-date figures and SPC charts."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from kvi import periods
from kvi.models import (
    Aggregation,
    Crosswalk,
    Framework,
    FrameworkStatus,
    FrameworkTheme,
    ImportJob,
    ImportKind,
    ImportStatus,
    Kvi,
    LocalArea,
    Measurement,
    MeasurementStatus,
    Metric,
    PostcodeRelease,
    SpendLedgerImport,
    SubTheme,
    Unit,
)
from kvi.spc import SpcResult, SpcSettings, calculate_spc
from tenancy.permissions import Perm, TenantAccess


def latest_postcode_release() -> PostcodeRelease | None:
    """The most recently loaded postcode directory (shared by every tenant)."""
    return PostcodeRelease.objects.order_by("-loaded_at", "-id").first()


def postcode_release_list() -> QuerySet[PostcodeRelease]:
    return PostcodeRelease.objects.order_by("-loaded_at", "-id")


def local_area_list(*, tenant) -> QuerySet[LocalArea]:
    return LocalArea.objects.filter(tenant=tenant).order_by("name")


def spend_ledger_import_list(
    *, tenant, access: TenantAccess, organisation=None
) -> QuerySet[SpendLedgerImport]:
    """The imports this person may see, newest first: every organisation's for the programme
    team (VIEW_KVIS), their own organisations' for organisation staff (VIEW_OWN_KVIS).

    Each import carries `row_notes` (row numbers and postcodes), which only the organisation's
    own staff are shown (kvi.views.uploads); tenant-wide figures read `results` only.
    """
    scope = access.organisation_scope(
        tenant_wide=Perm.VIEW_KVIS, per_organisation=Perm.VIEW_OWN_KVIS
    )
    imports = SpendLedgerImport.objects.filter(tenant=tenant).select_related(
        "organisation", "release", "local_area", "uploaded_by"
    )
    if scope is not None:
        imports = imports.filter(organisation_id__in=scope)
    if organisation is not None:
        imports = imports.filter(organisation=organisation)
    return imports.order_by("-created_at")


# --- Spend-ledger pages (the views check who may see what) ----------------------------------

# A spend-ledger job still at work (the upload task moves it from uploaded to importing).
UNFINISHED = (ImportStatus.UPLOADED, ImportStatus.IMPORTING)


def spend_ledger_list_for(*, tenant, organisation) -> QuerySet[SpendLedgerImport]:
    """An organisation's ledger imports, newest first, without their larger JSON (the caller
    decides who may see the list: the row notes are not read here)."""
    return (
        SpendLedgerImport.objects.filter(tenant=tenant, organisation=organisation)
        .select_related("release", "local_area", "uploaded_by")
        .defer("row_notes", "errors")
        .order_by("-created_at")
    )


def spend_ledger_get_for(*, tenant, organisation, pk) -> SpendLedgerImport | None:
    return (
        SpendLedgerImport.objects.filter(tenant=tenant, organisation=organisation, pk=pk)
        .select_related("release", "local_area", "uploaded_by")
        .first()
    )


def spend_ledger_job_list(*, tenant, organisation) -> QuerySet[ImportJob]:
    """An organisation's spend-ledger jobs that are still running or have failed."""
    return (
        ImportJob.objects.filter(
            tenant=tenant,
            organisation=organisation,
            kind=ImportKind.SPEND_LEDGER,
            status__in=(*UNFINISHED, ImportStatus.FAILED),
        )
        .select_related("created_by")
        .order_by("-created_at")
    )


def spend_ledger_job_get(*, tenant, organisation, pk) -> ImportJob | None:
    return (
        ImportJob.objects.filter(
            tenant=tenant, organisation=organisation, kind=ImportKind.SPEND_LEDGER, pk=pk
        )
        .select_related("created_by")
        .first()
    )


# --- Frameworks -----------------------------------------------------------------------------


def framework_list(*, tenant) -> QuerySet[Framework]:
    return Framework.objects.filter(tenant=tenant).order_by("name", "-version")


def framework_current(*, tenant, name: str) -> Framework | None:
    """The published version of the framework called ``name``."""
    return Framework.objects.filter(
        tenant=tenant, name=name, status=FrameworkStatus.PUBLISHED
    ).first()


def framework_tree(*, tenant, framework_id, organisation=None) -> Framework | None:
    """A framework version with its themes -> sub-themes -> metrics -> crosswalks prefetched
    (one query per level: five in all). Metrics are the tenant's plus, when ``organisation`` is
    given, that organisation's own; without it, the tenant's only."""
    metrics = Metric.objects.filter(tenant=tenant).order_by("position", "code")
    if organisation is None:
        metrics = metrics.filter(organisation__isnull=True)
    else:
        metrics = metrics.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
    return (
        Framework.objects.filter(tenant=tenant, pk=framework_id)
        .prefetch_related(
            Prefetch(
                "themes",
                queryset=FrameworkTheme.objects.filter(tenant=tenant).order_by("position", "name"),
            ),
            Prefetch(
                "themes__subthemes",
                queryset=SubTheme.objects.filter(tenant=tenant).order_by("position", "name"),
            ),
            Prefetch("themes__subthemes__metrics", queryset=metrics),
            Prefetch(
                "themes__subthemes__metrics__crosswalks",
                queryset=Crosswalk.objects.filter(tenant=tenant).order_by("scheme", "item_code"),
            ),
        )
        .first()
    )


# --- KVIs -----------------------------------------------------------------------------------

# Figures that count in series and year-to-date: validated, and submitted ones awaiting it.
COUNTED_STATUSES = (MeasurementStatus.VALIDATED, MeasurementStatus.SUBMITTED)


def kvi_list(*, tenant, access: TenantAccess, organisation=None) -> QuerySet[Kvi]:
    """KVIs (of one organisation, or all those this person may see: every organisation's for
    the programme team, their own organisations' for organisation staff), with metric,
    sub-theme, theme and organisation."""
    scope = access.organisation_scope(
        tenant_wide=Perm.VIEW_KVIS, per_organisation=Perm.VIEW_OWN_KVIS
    )
    kvis = Kvi.objects.filter(tenant=tenant).select_related(
        "organisation", "metric", "metric__subtheme", "metric__subtheme__theme"
    )
    if scope is not None:
        kvis = kvis.filter(organisation_id__in=scope)
    if organisation is not None:
        kvis = kvis.filter(organisation=organisation)
    return kvis.order_by("organisation__name", "code")


def kvi_get(*, tenant, access: TenantAccess, pk) -> Kvi | None:
    return kvi_list(tenant=tenant, access=access).filter(pk=pk).first()


def kvi_measurement_list(
    *, tenant, kvi: Kvi, period_from: date | None = None, statuses=None
) -> QuerySet[Measurement]:
    measurements = Measurement.objects.filter(tenant=tenant, kvi=kvi).select_related(
        "entered_by", "validated_by"
    )
    if period_from is not None:
        measurements = measurements.filter(period__gte=period_from)
    if statuses is not None:
        measurements = measurements.filter(status__in=statuses)
    return measurements.order_by("period")


def ratio_scale(kvi: Kvi) -> Decimal:
    """Ratios of a "%" metric read as percentages (13.09), others as plain fractions."""
    return Decimal(100) if kvi.metric.unit == Unit.PERCENT else Decimal(1)


def measurement_figure(kvi: Kvi, measurement: Measurement) -> Decimal:
    """The figure of one measurement: its value, or numerator / denominator (x 100 for %)."""
    if measurement.value is not None:
        return measurement.value
    return measurement.numerator / measurement.denominator * ratio_scale(kvi)


def kvi_series(*, tenant, kvi: Kvi, validated_only: bool = False) -> list[tuple[date, Decimal]]:
    """(period, figure) of the KVI's validated and submitted measurements (validated only, if
    asked), in period order. One query."""
    statuses = (MeasurementStatus.VALIDATED,) if validated_only else COUNTED_STATUSES
    rows = Measurement.objects.filter(tenant=tenant, kvi=kvi, status__in=statuses).order_by(
        "period"
    )
    return [(row.period, measurement_figure(kvi, row)) for row in rows]


def combined_figure(kvi: Kvi, rows) -> Decimal | None:
    """Measurements' figures (in period order, already read) combined as the KVI's metric says
    (kvi.periods.combine); a "%" ratio as a percentage. None without any."""
    if not rows:
        return None
    method = kvi.metric.aggregation
    if method == Aggregation.RATIO:
        pairs = [
            (row.numerator, row.denominator)
            if row.value is None
            else (row.value / ratio_scale(kvi), Decimal(1))
            for row in rows
        ]
        return periods.combine(pairs, method) * ratio_scale(kvi)
    return periods.combine([measurement_figure(kvi, row) for row in rows], method)


def year_to_date(*, tenant, kvi: Kvi, as_of: date) -> Decimal | None:
    """The KVI's figure for its financial year up to ``as_of`` (from 1 April), combined as its
    metric says (combined_figure). None with no figures. One query."""
    ytd_periods = periods.year_to_date_periods(as_of, kvi.frequency)
    rows = Measurement.objects.filter(
        tenant=tenant,
        kvi=kvi,
        status__in=COUNTED_STATUSES,
        period__gte=ytd_periods[0],
        period__lte=ytd_periods[-1],
    ).order_by("period")
    return combined_figure(kvi, list(rows))


def kvi_spc_settings(kvi: Kvi, **overrides) -> SpcSettings:
    """The KVI's chart settings (its stored baseline, rebase points, outlier screening and run
    lengths), with its metric's improvement direction and its target; `overrides` (any
    SpcSettings field) win, e.g. a page trying another baseline."""
    stored = {
        "baseline_points": kvi.spc_baseline_points,
        "rebase_at": list(kvi.spc_rebase_at),
        "screen_outliers": kvi.spc_screen_outliers,
        "shift_length": kvi.spc_shift_length,
        "trend_length": kvi.spc_trend_length,
    }
    return SpcSettings(
        improvement_direction=kvi.metric.direction,
        target=kvi.target_value,
        **(stored | overrides),
    )


def kvi_spc(*, tenant, kvi: Kvi, **overrides) -> SpcResult:
    """The XmR chart of the KVI's series with its stored settings (kvi_spc_settings);
    `overrides` (baseline_points, rebase_at, screen_outliers, run lengths) win."""
    return calculate_spc(kvi_series(tenant=tenant, kvi=kvi), kvi_spc_settings(kvi, **overrides))
