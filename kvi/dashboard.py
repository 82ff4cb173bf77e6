"""Reads for the KVI pages: an organisation's dashboard, one KVI's page, the validation queue,
the measurement look-up and the choices of the KVI form; and figures as the pages write them.

The dashboard reads every KVI of the organisation in one query and all their counted
measurements in another, then works out year-to-date figures, last year's figures and SPC in
Python (kvi.periods.combine, kvi.spc.calculate_spc), so its number of queries does not grow
with the number of KVIs or measurements. A KVI's page likewise reads its measurements once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from kvi import periods
from kvi.charts import format_value
from kvi.models import (
    FrameworkStatus,
    Kvi,
    Measurement,
    MeasurementRevision,
    MeasurementStatus,
    Metric,
)
from kvi.selectors import (
    COUNTED_STATUSES,
    combined_figure,
    kvi_list,
    kvi_spc_settings,
    measurement_figure,
    ratio_scale,
)
from kvi.spc import SpcResult, calculate_spc
from kvi.status import KviStatusResult, kvi_status
from tenancy.permissions import Perm, TenantAccess

# --- Figures over a run of periods ------------------------------------------------------------


def year_figure(kvi: Kvi, rows: Sequence[Measurement], as_of: date) -> Decimal | None:
    """The KVI's figure for the financial year containing ``as_of``, from 1 April up to the
    period containing ``as_of``. ``rows``: its counted measurements in period order."""
    ytd = periods.year_to_date_periods(as_of, kvi.frequency)
    return combined_figure(kvi, [row for row in rows if ytd[0] <= row.period <= ytd[-1]])


def previous_year_end(as_of: date) -> date:
    """31 March before the financial year containing ``as_of``."""
    start = periods.financial_year_start(periods.financial_year_of(as_of))
    return date(start.year, 3, 31)


def spc_of(
    kvi: Kvi, rows: Sequence[Measurement], *, as_of: date | None = None, **settings
) -> SpcResult:
    """The XmR chart of the counted measurements (up to the period containing ``as_of``), with
    the KVI's stored chart settings (kvi.selectors.kvi_spc_settings); `settings` override them."""
    if as_of is not None:
        last = periods.period_start(as_of, kvi.frequency)
        rows = [row for row in rows if row.period <= last]
    return calculate_spc(
        [(row.period, measurement_figure(kvi, row)) for row in rows],
        kvi_spc_settings(kvi, **settings),
    )


def status_of(kvi: Kvi, figure: Decimal | None, as_of: date) -> KviStatusResult:
    """On track / at risk / off track against the target's trajectory (kvi.status)."""
    return kvi_status(kvi, figure=figure, as_of=as_of)


# --- An organisation's dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class KviSummary:
    kvi: Kvi
    year_to_date: Decimal | None
    last_year: Decimal | None
    spc: SpcResult
    status: KviStatusResult
    awaiting_validation: int


@dataclass
class ThemeGroup:
    name: str
    summaries: list[KviSummary] = field(default_factory=list)


@dataclass(frozen=True)
class OrganisationDashboard:
    as_of: date
    financial_year: str
    last_financial_year: str
    themes: list[ThemeGroup]
    kvi_count: int
    awaiting_validation: int
    financial_years: list[str]  # with figures, newest first (always includes this one)
    latest_year_with_figures: str | None = None


def organisation_dashboard(
    *, tenant, access: TenantAccess, organisation, as_of: date
) -> OrganisationDashboard:
    """Every KVI of the organisation grouped by theme, each with its year-to-date figure at
    ``as_of``, last financial year's figure, SPC icons, status and how many of its figures wait
    for validation. Two queries, whatever the number of KVIs and measurements."""
    kvis = list(kvi_list(tenant=tenant, access=access, organisation=organisation))
    rows_by_kvi: dict = {kvi.pk: [] for kvi in kvis}
    years = {periods.financial_year_of(as_of)}
    latest_period: date | None = None
    if kvis:
        measurements = (
            Measurement.objects.filter(
                tenant=tenant, kvi_id__in=list(rows_by_kvi), status__in=COUNTED_STATUSES
            )
            .only("kvi_id", "period", "value", "numerator", "denominator", "status")
            .order_by("kvi_id", "period")
        )
        for row in measurements:
            rows_by_kvi[row.kvi_id].append(row)
            years.add(periods.financial_year_of(row.period))
            latest_period = max(latest_period or row.period, row.period)
    last_year_end = previous_year_end(as_of)
    groups: dict[tuple, ThemeGroup] = {}
    waiting_total = 0
    for kvi in kvis:
        counted = rows_by_kvi[kvi.pk]
        waiting = sum(row.status == MeasurementStatus.SUBMITTED for row in counted)
        waiting_total += waiting
        ytd = year_figure(kvi, counted, as_of)
        summary = KviSummary(
            kvi=kvi,
            year_to_date=ytd,
            last_year=year_figure(kvi, counted, last_year_end),
            spc=spc_of(kvi, counted, as_of=as_of),
            status=status_of(kvi, ytd, as_of),
            awaiting_validation=waiting,
        )
        theme = kvi.metric.subtheme.theme
        key = (theme.position, theme.name)
        groups.setdefault(key, ThemeGroup(name=theme.name)).summaries.append(summary)
    return OrganisationDashboard(
        as_of=as_of,
        financial_year=periods.financial_year_of(as_of),
        last_financial_year=periods.financial_year_of(last_year_end),
        themes=[groups[key] for key in sorted(groups)],
        kvi_count=len(kvis),
        awaiting_validation=waiting_total,
        financial_years=sorted(years, reverse=True),
        latest_year_with_figures=(
            periods.financial_year_of(latest_period) if latest_period is not None else None
        ),
    )


def dashboard_as_of(financial_year: str, today: date) -> date:
    """The date a dashboard for ``financial_year`` is read at: today within the current year,
    the year's last day for a past one, its first day for a future one."""
    start = periods.financial_year_start(financial_year)
    end = periods.financial_year_end(financial_year)
    return min(max(today, start), end)


# --- One KVI's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class KviPage:
    kvi: Kvi
    measurements: Sequence[Measurement]  # every status, in period order, with `evidence_count`
    counted: Sequence[Measurement]  # validated and submitted, in period order
    revisions: list[MeasurementRevision]  # newest first
    spc: SpcResult
    year_to_date: Decimal | None
    last_year: Decimal | None
    status: KviStatusResult
    as_of: date


def kvi_page(*, tenant, kvi: Kvi, as_of: date, spc_settings: dict | None = None) -> KviPage:
    """A KVI's figures (people joined, evidence counted), its corrections and its chart under
    ``spc_settings`` (SpcSettings fields). Two queries."""
    measurements = list(
        Measurement.objects.filter(tenant=tenant, kvi=kvi)
        .select_related("entered_by", "validated_by")
        .annotate(evidence_count=Count("evidence"))
        .order_by("period")
    )
    revisions = list(
        MeasurementRevision.objects.filter(tenant=tenant, measurement__kvi=kvi)
        .select_related("changed_by", "measurement")
        .order_by("-changed_at")
    )
    counted = [row for row in measurements if row.status in COUNTED_STATUSES]
    ytd = year_figure(kvi, counted, as_of)
    return KviPage(
        kvi=kvi,
        measurements=measurements,
        counted=counted,
        revisions=revisions,
        spc=spc_of(kvi, counted, **(spc_settings or {})),
        year_to_date=ytd,
        last_year=year_figure(kvi, counted, previous_year_end(as_of)),
        status=status_of(kvi, ytd, as_of),
        as_of=as_of,
    )


def kvi_for_page(*, tenant, access: TenantAccess, pk) -> Kvi | None:
    """A KVI this person may see, with organisation, metric, theme and pledge joined."""
    return (
        kvi_list(tenant=tenant, access=access)
        .select_related("metric__framework", "pledge")
        .filter(pk=pk)
        .first()
    )


# --- Measurements ----------------------------------------------------------------------------


def measurement_get(*, tenant, access: TenantAccess, pk) -> Measurement | None:
    """A figure of a KVI this person may see (programme team: any; organisation staff: their
    organisations'), with its KVI, organisation, metric and people joined; evidence counted."""
    scope = access.organisation_scope(
        tenant_wide=Perm.VIEW_KVIS, per_organisation=Perm.VIEW_OWN_KVIS
    )
    measurements = (
        Measurement.objects.filter(tenant=tenant, pk=pk)
        .select_related("kvi", "kvi__organisation", "kvi__metric", "entered_by", "validated_by")
        .annotate(evidence_count=Count("evidence"))
    )
    if scope is not None:
        measurements = measurements.filter(kvi__organisation_id__in=scope)
    return measurements.first()


def measurement_revisions(*, tenant, measurement: Measurement) -> QuerySet[MeasurementRevision]:
    return (
        MeasurementRevision.objects.filter(tenant=tenant, measurement=measurement)
        .select_related("changed_by")
        .order_by("-changed_at")
    )


def kvi_periods_recorded(*, tenant, kvi: Kvi) -> dict[date, str]:
    """The periods that already have a figure: period -> status."""
    return dict(Measurement.objects.filter(tenant=tenant, kvi=kvi).values_list("period", "status"))


def validation_queue(*, tenant, organisation) -> QuerySet[Measurement]:
    """The organisation's figures waiting for validation, by KVI and period, with what the
    queue shows joined and evidence counted (one query)."""
    return (
        Measurement.objects.filter(
            tenant=tenant, kvi__organisation=organisation, status=MeasurementStatus.SUBMITTED
        )
        .select_related("kvi", "kvi__metric", "entered_by")
        .annotate(evidence_count=Count("evidence"))
        .order_by("kvi__code", "period")
    )


# --- Choices for the KVI form ----------------------------------------------------------------


def kvi_metric_choices(*, tenant, organisation, current: Metric | None = None) -> list[Metric]:
    """Metrics a KVI of ``organisation`` may use: the published frameworks' metrics of the
    tenant and the organisation's own (plus ``current``, a KVI's metric, whatever its
    framework's state), in theme, sub-theme and metric order."""
    published = Q(framework__status=FrameworkStatus.PUBLISHED) & (
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    if current is not None:
        published |= Q(pk=current.pk)
    return list(
        Metric.objects.filter(published, tenant=tenant)
        .select_related("framework", "subtheme", "subtheme__theme")
        .order_by(
            "framework__name",
            "subtheme__theme__position",
            "subtheme__theme__name",
            "subtheme__position",
            "subtheme__name",
            "position",
            "code",
        )
    )


def organisation_pledges(*, tenant, organisation) -> list:
    """The organisation's pledges (charters.Pledge) with charter, principle and theme joined.

    kvi imports no other domain app: the pledge model is reached through the Kvi.pledge
    foreign key (a string reference to charters.Pledge), so this reads charters' table
    without importing charters."""
    pledge_model = Kvi._meta.get_field("pledge").related_model
    return list(
        pledge_model._default_manager.filter(tenant=tenant, signatory__organisation=organisation)
        .select_related("signatory__charter", "principle", "theme")
        .order_by("signatory__charter__title", "position", "id")
    )


# --- Figures as pages show them ------------------------------------------------------------


def figure_text(kvi: Kvi, value: Decimal | None) -> str:
    """A figure in the KVI's unit ("13.09%", "58 people", "£1,200"); "—" for none."""
    return "—" if value is None else format_value(value, kvi.metric.unit)


def measurement_text(kvi: Kvi, measurement: Measurement) -> str:
    """A measurement's figure; a ratio also shows its parts: "12% (120 of 1,000)"."""
    text = figure_text(kvi, measurement_figure(kvi, measurement))
    if measurement.value is None:
        text += (
            f" ({format_value(measurement.numerator, '')} of "
            f"{format_value(measurement.denominator, '')})"
        )
    return text


def figures_text(kvi: Kvi, value, numerator, denominator) -> str:
    """Stored figures (a revision's old or new ones) as text."""
    if value is not None:
        return figure_text(kvi, value)
    if numerator is None or not denominator:
        return "—"
    figure = numerator / denominator * ratio_scale(kvi)
    return (
        f"{figure_text(kvi, figure)} ({format_value(numerator, '')} of "
        f"{format_value(denominator, '')})"
    )


def revision_rows(kvi: Kvi, revisions) -> list[dict]:
    """Corrections as pages list them: {"revision", "old", "new"} (figures as text)."""
    return [
        {
            "revision": revision,
            "old": figures_text(
                kvi, revision.old_value, revision.old_numerator, revision.old_denominator
            ),
            "new": figures_text(
                kvi, revision.new_value, revision.new_numerator, revision.new_denominator
            ),
        }
        for revision in revisions
    ]


def plain_number(value: Decimal | None) -> str:
    """A stored decimal as a form shows it, without trailing zeros: 18.000000 -> "18"."""
    return "" if value is None else format(value.normalize(), "f")


def target_text(kvi: Kvi) -> str:
    """The target and when it is due: "18% in 2022/23", "50 people by 31 March 2022"."""
    if kvi.target_value is None:
        return "No target"
    text = figure_text(kvi, kvi.target_value)
    if kvi.target_financial_year:
        return f"{text} in {kvi.target_financial_year}"
    if kvi.target_date:
        return f"{text} by {kvi.target_date.day} {kvi.target_date:%B %Y}"
    return text
