"""The tenant overview across organisations: for one financial year, every organisation's KVIs
judged against their targets (kvi.status), their figures priced with the tenant's active proxy
set (kvi.value), and the totals by theme, by organisation and for the whole programme.

It reads the year figures rollup (KviYearFigure, kvi.rollup), refreshed first for the year shown
(usually few or no KVIs to work out), and adds it up in SQL, so Python handles only the rows
shown. The refresh never keeps the page waiting for a writer whose transaction is still open (an
import being saved): those KVIs show as last worked out and the page says how many they are.

Queries, whatever the number of organisations, KVIs or measurements: the refresh (one when
nothing changed; five at most), then one for the totals by theme and measure, the counts of
organisations and whether a proxy set is active; the table of organisations is read a page at a
time (OrganisationRows: a page, searched and sorted in SQL, and a count when searched).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from kvi import overview_sql, periods
from kvi.models import Unit
from kvi.rollup import RollupBusy, kvi_year_figures_refresh, year_as_of
from kvi.status import KviStatus
from kvi.value import format_money, format_quantity
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess

ZERO = Decimal(0)


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
    return financial_year, year_as_of(financial_year, today)


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

    @classmethod
    def of(cls, kvis, on_track, at_risk, off_track, awaiting, gross, net, priced) -> "Tally":
        """A tally from SQL's counts and sums (None sums are nothing)."""
        return cls(
            kvis=kvis,
            on_track=on_track,
            at_risk=at_risk,
            off_track=off_track,
            not_judged=kvis - on_track - at_risk - off_track,
            awaiting_validation=awaiting or 0,
            gross=gross or ZERO,
            net=net or ZERO,
            priced_kvis=priced,
        )

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


@dataclass
class TenantOverview:
    tenant_id: str
    financial_year: str
    as_of: date
    totals: Tally
    organisations_taking_part: int
    organisations_with_kvis: int
    organisations_reporting: int
    organisations_listed: int  # taking part, or with KVIs this year (the table's rows)
    themes: list[ThemeOverview]
    proxy_set_active: bool
    worked_out_at: datetime | None  # when the latest of its KVIs' figures was worked out
    worked_out_now: int  # KVIs whose figures were worked out for this overview
    # KVIs whose figures are being changed (a writer's transaction is open): shown as they were
    # last worked out, and worked out by the next view.
    being_changed: int
    # Every organisation (taking part, or with KVIs) by name, when asked for (the downloads);
    # pages read theirs a page at a time (organisation_rows).
    organisations: list[OrganisationOverview] | None = None

    @property
    def frameworks(self) -> list[str]:
        return sorted({theme.framework_name for theme in self.themes})


def _params(tenant_id, financial_year: str) -> dict:
    return {
        "tenant": tenant_id,
        "financial_year": financial_year,
        "on_track": KviStatus.ON_TRACK,
        "at_risk": KviStatus.AT_RISK,
        "off_track": KviStatus.OFF_TRACK,
        "active": Participation.Status.ACTIVE,
    }


def tenant_overview(
    *,
    tenant,
    access: TenantAccess,
    financial_year: str | None = None,
    today: date,
    every_organisation: bool = False,
) -> TenantOverview:
    """The overview of the tenant's KVIs for ``financial_year`` (the one containing ``today`` by
    default), for the programme team only (VIEW_KVIS); with ``every_organisation``, the row of
    every organisation too (one more query). Raises OverviewYearError for a year it cannot show.
    A fixed number of queries (see the module docstring)."""
    access.require(Perm.VIEW_KVIS)
    financial_year, as_of = overview_as_of(financial_year, today)
    being_changed = 0
    try:
        worked_out_now = kvi_year_figures_refresh(
            tenant=tenant, financial_year=financial_year, as_of=as_of, wait=False
        )
    except RollupBusy as busy:  # never keep the page waiting for an import to finish
        worked_out_now, being_changed = 0, busy.kvis
    with connection.cursor() as cursor:
        cursor.execute(overview_sql.YEAR_SQL, _params(tenant.pk, financial_year))
        rows = cursor.fetchall()
    taking_part, with_kvis, reporting, listed, proxy_set_active = rows[0][:5]
    themes: dict[tuple[str, str], ThemeOverview] = {}
    worked_out_at = None
    for (framework_name, theme_name, position, code, unit, name, kvis, on_track, at_risk,
         off_track, awaiting, gross, net, priced, with_figures, quantity, has_proxy,
         worked_out) in (row[5:] for row in rows if row[5] is not None):  # fmt: skip
        theme = themes.get((framework_name, theme_name))
        if theme is None:
            theme = themes[framework_name, theme_name] = ThemeOverview(
                framework_name, theme_name, position
            )
        theme.position = min(theme.position, position)
        theme.tally.merge(
            Tally.of(kvis, on_track, at_risk, off_track, awaiting, gross, net, priced)
        )
        theme.measures[code, unit] = MeasureTotal(
            code,
            name,
            unit,
            kvis=kvis,
            reporting=with_figures,
            quantity=None if unit == Unit.PERCENT else quantity or ZERO,
            gross=(gross or ZERO) if has_proxy else None,
            net=(net or ZERO) if has_proxy else None,
        )
        worked_out_at = max(worked_out_at or worked_out, worked_out)
    totals = Tally()
    for theme in themes.values():
        totals.merge(theme.tally)
    overview = TenantOverview(
        tenant_id=tenant.pk,
        financial_year=financial_year,
        as_of=as_of,
        totals=totals,
        organisations_taking_part=taking_part,
        organisations_with_kvis=with_kvis,
        organisations_reporting=reporting,
        organisations_listed=listed,
        themes=sorted(
            themes.values(), key=lambda t: (t.framework_name, t.position, t.name.casefold())
        ),
        proxy_set_active=proxy_set_active,
        worked_out_at=worked_out_at,
        worked_out_now=worked_out_now,
        being_changed=being_changed,
    )
    if every_organisation:
        overview.organisations = list(organisation_rows(overview))
    return overview


# --- The table of organisations: search, sort, pages -------------------------------------------

_BY_NAME = 'lower(name) COLLATE "C"'  # the order of Python's str.casefold, near enough
# Sort keys the page offers: the column and its SQL (ties by name, then id).
ORGANISATION_SORTS = {
    "name": _BY_NAME,
    "kvis": "kvis",
    "on_track": "on_track",
    "at_risk": "at_risk",
    "off_track": "off_track",
    "awaiting": "awaiting",
    "net": "net",
}


class OrganisationRows:
    """The overview's organisations whose name contains a search (any case), in a sort order,
    read from the database as they are asked for: a Paginator's object list (its count is one
    query, each page another), or every row when iterated."""

    def __init__(self, overview: TenantOverview, *, search: str = "", sort: str = "name"):
        self.params = {
            **_params(overview.tenant_id, overview.financial_year),
            "needle": " ".join(search.split()).lower(),
        }
        descending = sort.startswith("-")
        column = ORGANISATION_SORTS.get(sort.lstrip("-"), _BY_NAME)
        # Ties stay in name order whichever way the column runs.
        self.order = f"{column}{' DESC' if descending else ''}, {_BY_NAME}, id"
        # Without a search, every listed organisation: the overview has counted them.
        self._count: int | None = None if self.params["needle"] else overview.organisations_listed

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(overview_sql.ORGANISATION_COUNT_SQL, self.params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self._rows(0, None))

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
                raise ValueError("Only forward slices from the start of a page are supported.")
            start = index.start or 0
            if index.stop is None:
                return self._rows(start, None)
            return self._rows(start, index.stop - start) if index.stop > start else []
        position = index + self.count() if index < 0 else index
        rows = self._rows(position, 1) if position >= 0 else []
        if not rows:
            raise IndexError("No organisation at that position.")
        return rows[0]

    def _rows(self, offset: int, limit: int | None) -> list[OrganisationOverview]:
        with connection.cursor() as cursor:
            cursor.execute(
                overview_sql.ORGANISATIONS_SQL.format(order=self.order),
                {**self.params, "offset": offset, "limit": limit},
            )
            return [
                OrganisationOverview(
                    organisation_id,
                    name,
                    Tally.of(kvis, on_track, at_risk, off_track, awaiting, gross, net, priced),
                    reporting=reporting,
                    taking_part=taking_part,
                )
                for (organisation_id, name, taking_part, kvis, on_track, at_risk, off_track,
                     awaiting, gross, net, priced, reporting) in cursor.fetchall()
            ]  # fmt: skip


def organisation_rows(
    overview: TenantOverview, *, search: str = "", sort: str = "name"
) -> OrganisationRows:
    """The overview's organisations whose name contains ``search`` (any case), sorted by
    ``sort`` (a key of ORGANISATION_SORTS, "-" first for descending; ties by name; an unknown
    key sorts by name), read from the database a page at a time."""
    return OrganisationRows(overview, search=search, sort=sort)
