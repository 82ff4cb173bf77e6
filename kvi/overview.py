"""The tenant overview across organisations: for one financial year, every organisation's KVIs
judged against their targets (kvi.status), their figures priced with the tenant's active proxy
set (kvi.value), and the totals by theme, by organisation and for the whole programme.

Figures come from kvi.overview_figures (set-based in PostgreSQL); this module judges and prices
them in one pass over the KVIs. Queries, whatever the number of organisations, KVIs or
measurements: the metrics, the figures (with a SET LOCAL before it, and a second query when some
sum or average KVI has figures entered as ratios), the active proxy values, the organisations
taking part, and the names of organisations that have left but still have KVIs (only if any).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from uuid import UUID

from kvi import periods
from kvi.models import Unit
from kvi.overview_figures import MetricFacts, kvi_year_figures, metric_facts
from kvi.status import KviStatus, kvi_status
from kvi.value import (
    active_proxy_values,
    format_money,
    format_quantity,
    is_priceable,
    monetise,
)
from organisations.models import Organisation, Participation
from tenancy.permissions import Perm, TenantAccess

ZERO = Decimal(0)
ON_TRACK, AT_RISK, OFF_TRACK = KviStatus.ON_TRACK, KviStatus.AT_RISK, KviStatus.OFF_TRACK


class OverviewYearError(ValueError):
    """A financial year the overview cannot show (malformed, or not begun yet)."""


def overview_as_of(financial_year: str | None, today: date) -> tuple[str, date]:
    """(financial year, the date it is read at): the current year read today by default; a past
    year read on its last day, 31 March. Raises OverviewYearError for a malformed year or one
    that has not begun."""
    if not financial_year:
        return periods.financial_year_of(today), today
    try:
        start = periods.financial_year_start(financial_year)
    except ValueError as error:
        raise OverviewYearError(str(error)) from None
    if start > today:
        raise OverviewYearError(
            f"{financial_year} has not begun yet: choose {periods.financial_year_of(today)} "
            "or an earlier year."
        )
    return financial_year, min(today, periods.financial_year_end(financial_year))


@dataclass
class Tally:
    """KVIs counted by status, figures awaiting validation and monetised value (gross, net)."""

    kvis: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    not_judged: int = 0  # no target, or no figures yet this year
    awaiting_validation: int = 0
    gross: Decimal = ZERO
    net: Decimal = ZERO
    priced_kvis: int = 0  # KVIs with a monetised value

    @property
    def gross_display(self) -> str:
        return format_money(self.gross, pence=False)

    @property
    def net_display(self) -> str:
        return format_money(self.net, pence=False)

    def merge(self, other: "Tally") -> None:
        for name in (
            "kvis", "on_track", "at_risk", "off_track", "not_judged", "awaiting_validation",
            "gross", "net", "priced_kvis",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def add(self, status: str, awaiting: int, money) -> None:
        self.kvis += 1
        if status == ON_TRACK:
            self.on_track += 1
        elif status == AT_RISK:
            self.at_risk += 1
        elif status == OFF_TRACK:
            self.off_track += 1
        else:  # no target, or no figures yet
            self.not_judged += 1
        self.awaiting_validation += awaiting
        if money is not None:
            self.gross += money.gross
            self.net += money.net
            self.priced_kvis += 1


@dataclass
class MeasureTotal:
    """A theme's KVIs of one metric: units beside money. ``quantity`` adds the KVIs' figures
    (None for "%" metrics, which do not add up); ``gross``/``net`` are None when no figure of the
    measure has a proxy (reported as a count, never priced)."""

    code: str
    name: str
    unit: str
    kvis: int = 0
    reporting: int = 0  # KVIs with figures this year
    quantity: Decimal | None = ZERO
    gross: Decimal | None = None
    net: Decimal | None = None

    @property
    def quantity_display(self) -> str:
        return "" if self.quantity is None else format_quantity(self.quantity, self.unit)

    @property
    def gross_display(self) -> str:
        return "" if self.gross is None else format_money(self.gross, pence=False)

    @property
    def net_display(self) -> str:
        return "" if self.net is None else format_money(self.net, pence=False)


@dataclass
class ThemeOverview:
    framework_name: str
    name: str
    position: int
    tally: Tally = field(default_factory=Tally)
    measures: dict[tuple[str, str], MeasureTotal] = field(default_factory=dict)

    @property
    def measure_list(self) -> list[MeasureTotal]:
        return sorted(self.measures.values(), key=lambda m: (m.name.casefold(), m.code))


@dataclass
class OrganisationOverview:
    organisation_id: str  # its UUID as text
    name: str
    tally: Tally = field(default_factory=Tally)
    reporting: bool = False  # has figures this year
    taking_part: bool = True  # an active participant (False: left, but has KVIs)


@dataclass(frozen=True)
class TenantOverview:
    financial_year: str
    as_of: date
    totals: Tally
    organisations_taking_part: int
    organisations_with_kvis: int
    organisations_reporting: int
    themes: list[ThemeOverview]
    organisations: list[OrganisationOverview]  # by name
    proxy_set_active: bool

    @property
    def frameworks(self) -> list[str]:
        return sorted({theme.framework_name for theme in self.themes})


def tenant_overview(
    *, tenant, access: TenantAccess, financial_year: str | None = None, today: date
) -> TenantOverview:
    """The overview of the tenant's KVIs for ``financial_year`` (the one containing ``today`` by
    default), for the programme team only (VIEW_KVIS). Raises OverviewYearError for a year it
    cannot show. A fixed number of queries (see the module docstring)."""
    access.require(Perm.VIEW_KVIS)
    financial_year, as_of = overview_as_of(financial_year, today)
    metrics = metric_facts(tenant=tenant)
    kvis = kvi_year_figures(tenant=tenant, as_of=as_of, metrics=metrics)
    proxies = active_proxy_values(tenant=tenant)
    organisations = _organisations(tenant)
    taking_part = len(organisations)
    themes: dict[tuple[str, str], ThemeOverview] = {}
    # Per metric: its theme, its line in the theme's measures, and whether it can be priced.
    by_metric: dict[str, tuple[ThemeOverview, MeasureTotal, bool]] = {}
    for kvi in kvis:
        metric = kvi.metric
        slot = by_metric.get(metric.id)
        if slot is None:
            slot = by_metric[metric.id] = _metric_slot(themes, metric, financial_year, proxies)
        theme, measure, priceable = slot
        figure = kvi.figure
        money = None
        if figure is not None:
            measure.reporting += 1
            if measure.quantity is not None:
                measure.quantity += figure
            if priceable:
                money = monetise(
                    quantity=figure,
                    unit=metric.unit,
                    financial_year=financial_year,
                    measure_code=metric.proxy_measure_code,
                    proxies=proxies,
                )
                if money is not None:
                    measure.gross = (measure.gross or ZERO) + money.gross
                    measure.net = (measure.net or ZERO) + money.net
        measure.kvis += 1
        status = kvi_status(kvi, figure=figure, as_of=as_of).status
        theme.tally.add(status, kvi.awaiting_validation, money)
        organisation = organisations.get(kvi.organisation_id)
        if organisation is None:  # it has left the programme, or its participation is gone
            organisation = organisations[kvi.organisation_id] = OrganisationOverview(
                kvi.organisation_id, "", taking_part=False
            )
        organisation.tally.add(status, kvi.awaiting_validation, money)
        if kvi.counted:
            organisation.reporting = True
    _name_former_participants(tenant, organisations)
    totals = Tally()
    for theme in themes.values():
        totals.merge(theme.tally)
    return TenantOverview(
        financial_year=financial_year,
        as_of=as_of,
        totals=totals,
        organisations_taking_part=taking_part,
        organisations_with_kvis=sum(1 for o in organisations.values() if o.tally.kvis),
        organisations_reporting=sum(o.reporting for o in organisations.values()),
        themes=sorted(
            themes.values(), key=lambda t: (t.framework_name, t.position, t.name.casefold())
        ),
        organisations=sorted(
            organisations.values(), key=lambda o: (o.name.casefold(), str(o.organisation_id))
        ),
        proxy_set_active=bool(proxies),
    )


def _organisations(tenant) -> dict[str, OrganisationOverview]:
    """The organisations taking part (an active participation), by id: one query."""
    rows = Participation.objects.filter(
        tenant=tenant, status=Participation.Status.ACTIVE
    ).values_list("organisation_id", "organisation__name")
    return {str(pk): OrganisationOverview(str(pk), name) for pk, name in rows}


def _name_former_participants(tenant, organisations: dict[str, OrganisationOverview]) -> None:
    """Names for organisations with KVIs that no longer take part (one query, only if any)."""
    unnamed = [o for o in organisations.values() if not o.taking_part]
    if unnamed:
        names = dict(
            Organisation.objects.filter(pk__in=[o.organisation_id for o in unnamed]).values_list(
                "id", "name"
            )
        )
        for organisation in unnamed:
            organisation.name = names.get(UUID(organisation.organisation_id), "")


def _metric_slot(themes: dict, metric: MetricFacts, financial_year: str, proxies: dict):
    """(theme, measure line, priceable) of a metric, creating the theme and line when new. A
    metric is priced when kvi.value says it can be and the proxy set has its measure that year."""
    theme_key = (metric.framework_name, metric.theme_name)
    theme = themes.get(theme_key)
    if theme is None:
        theme = themes[theme_key] = ThemeOverview(
            metric.framework_name, metric.theme_name, metric.theme_position
        )
    # is_priceable reads only kvi.metric (its proxy measure code and unit).
    priceable = (
        is_priceable(SimpleNamespace(metric=metric))  # type: ignore[arg-type]
        and (metric.proxy_measure_code, financial_year) in proxies
    )
    key = (metric.code, metric.unit)
    measure = theme.measures.get(key)
    if measure is None:
        measure = theme.measures[key] = MeasureTotal(
            metric.code,
            metric.name,
            metric.unit,
            quantity=None if metric.unit == Unit.PERCENT else ZERO,
        )
    if priceable and measure.gross is None:
        measure.gross = measure.net = ZERO
    return theme, measure, priceable


# --- The table of organisations: search, sort --------------------------------------------------

# Sort keys the page offers: the column and how to read it from a row.
ORGANISATION_SORTS = {
    "name": lambda o: o.name.casefold(),
    "kvis": lambda o: o.tally.kvis,
    "on_track": lambda o: o.tally.on_track,
    "at_risk": lambda o: o.tally.at_risk,
    "off_track": lambda o: o.tally.off_track,
    "awaiting": lambda o: o.tally.awaiting_validation,
    "net": lambda o: o.tally.net,
}


def organisation_rows(
    overview: TenantOverview, *, search: str = "", sort: str = "name"
) -> list[OrganisationOverview]:
    """The overview's organisations whose name contains ``search`` (any case), sorted by
    ``sort`` (a key of ORGANISATION_SORTS, "-" first for descending; ties by name)."""
    rows = overview.organisations
    needle = " ".join(search.split()).casefold()
    if needle:
        rows = [row for row in rows if needle in row.name.casefold()]
    descending = sort.startswith("-")
    key = ORGANISATION_SORTS.get(sort.lstrip("-"), ORGANISATION_SORTS["name"])
    # The rows come by name and sorting is stable, so ties stay in name order.
    return sorted(rows, key=key, reverse=descending)
