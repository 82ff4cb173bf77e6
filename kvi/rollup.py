"""The year figures rollup (KviYearFigure): each KVI's figure, status and monetised value for a
financial year, worked out once and added up in SQL by the tenant overview (kvi.overview).

A row is worked out again when it is missing, when a database trigger has marked it stale (a
measurement of that KVI and year, the KVI, its metric or the active proxy set changed: migration
0007; no write path can forget it) or when it was judged on another day than the one asked for
(the current year is judged on today, a past year on its 31 March). The overview refreshes the
year it shows before reading it (usually few or no KVIs); a nightly task (kvi.tasks) refreshes
the current year of every tenant, so the first view of a day is fast.

The rules live in one place: the figures are kvi.selectors.year_to_date's (kvi.overview_figures
works them out set-based and is tested equal), the status kvi.status.kvi_status's, the value
kvi.value.monetise's.

Consistency with writers: the refresh takes the tenant's rollup lock exclusively before it reads
the figures (kvi_year_figures_lock, migration 0007); the triggers take it shared, to the end of
the writer's transaction. So a refresh waits for writers in progress (or, asked not to wait,
gives up: RollupBusy) and writers wait for it: a row is never marked fresh from figures that
missed a change.
"""

from datetime import date
from types import SimpleNamespace

from django.db import connection

from kvi import periods
from kvi.overview_figures import KviFigures, MetricFacts, kvi_year_figures
from kvi.status import kvi_status
from kvi.value import active_proxy_values, is_priceable, monetise

# The KVIs whose row for the year is missing, stale or judged on another day, and if there are
# any the tenant's lock (one statement; no lock when every row is fresh, so reading a fresh
# overview never holds writers up). Whether every row is fresh is two counts read from indexes
# (a KVI has at most one row a year); only when they differ are the KVIs without a fresh row
# listed (set difference: no join whose plan could go wrong with stale statistics). The list is
# read before the lock is granted: a row marked stale meanwhile stays stale for the next time,
# and the figures of the listed KVIs are read after it.
_NEEDING_SQL = """
WITH behind AS MATERIALIZED (
    SELECT (SELECT count(*) FROM kvi_kvi WHERE tenant_id = %(tenant)s)
           <> (SELECT count(*) FROM kvi_kviyearfigure
               WHERE tenant_id = %(tenant)s AND financial_year = %(financial_year)s
                 AND NOT is_stale AND as_of = %(as_of)s) AS behind
), needing AS MATERIALIZED (
    SELECT id FROM kvi_kvi WHERE tenant_id = %(tenant)s AND (SELECT behind FROM behind)
    EXCEPT
    SELECT kvi_id FROM kvi_kviyearfigure
    WHERE tenant_id = %(tenant)s AND financial_year = %(financial_year)s
      AND NOT is_stale AND as_of = %(as_of)s AND (SELECT behind FROM behind)
), locked AS MATERIALIZED (
    SELECT kvi_year_figures_lock(%(tenant)s, true, %(wait)s) AS locked
    WHERE EXISTS (SELECT 1 FROM needing)
)
SELECT needing.id::text, locked.locked FROM needing CROSS JOIN locked
"""

_LOCK_SQL = "SELECT NULL, kvi_year_figures_lock(%(tenant)s, true, %(wait)s)"

# One statement for every row: arrays of the KVIs' values, unnested into rows, inserted or
# written over the year's row (and marked fresh).
_UPSERT_SQL = """
INSERT INTO kvi_kviyearfigure AS f (
    id, created_at, updated_at, worked_out_at, tenant_id, financial_year, as_of, is_stale,
    kvi_id, organisation_id, metric_id, counted, awaiting, figure, status, expected, has_proxy,
    quantity, gross, net
)
SELECT gen_random_uuid(), now(), now(), now(), %(tenant)s, %(financial_year)s, %(as_of)s, false,
       u.*
FROM unnest(
    %(kvi)s::uuid[], %(organisation)s::uuid[], %(metric)s::uuid[], %(counted)s::int[],
    %(awaiting)s::int[], %(figure)s::numeric[], %(status)s::text[], %(expected)s::numeric[],
    %(has_proxy)s::boolean[], %(quantity)s::numeric[], %(gross)s::numeric[], %(net)s::numeric[]
) AS u
ON CONFLICT (tenant_id, kvi_id, financial_year) DO UPDATE SET
    updated_at = EXCLUDED.updated_at,
    worked_out_at = EXCLUDED.worked_out_at,
    as_of = EXCLUDED.as_of,
    is_stale = false,
    organisation_id = EXCLUDED.organisation_id,
    metric_id = EXCLUDED.metric_id,
    counted = EXCLUDED.counted,
    awaiting = EXCLUDED.awaiting,
    figure = EXCLUDED.figure,
    status = EXCLUDED.status,
    expected = EXCLUDED.expected,
    has_proxy = EXCLUDED.has_proxy,
    quantity = EXCLUDED.quantity,
    gross = EXCLUDED.gross,
    net = EXCLUDED.net
"""

_COLUMNS = (
    "kvi",
    "organisation",
    "metric",
    "counted",
    "awaiting",
    "figure",
    "status",
    "expected",
    "has_proxy",
    "quantity",
    "gross",
    "net",
)


class RollupBusy(Exception):
    """A refresh that was not to wait found the tenant's figures being changed: ``kvis`` rows
    need working out, and a writer's transaction still holds the lock."""

    def __init__(self, kvis: int):
        super().__init__(f"The figures of {kvis} KVIs are being changed.")
        self.kvis = kvis


def year_as_of(financial_year: str, today: date) -> date:
    """The date a financial year is judged on: today while it runs, its 31 March after."""
    return min(today, periods.financial_year_end(financial_year))


def kvi_year_figures_refresh(
    *, tenant, financial_year: str, as_of: date, kvi_ids=None, wait: bool = True
) -> int:
    """Work out the rollup rows of ``financial_year`` judged on ``as_of``: of ``kvi_ids`` (all
    of them, fresh or not), or by default of every KVI of the tenant whose row is missing, stale
    or judged on another day. Returns how many rows were written. Queries, whatever the number
    of KVIs: one when nothing needs working out; else that one (which takes the lock), the KVIs
    with their figures (and their rows, for the few KVIs the sums cannot give), the active proxy
    values and one upsert. With ``wait`` False, raises RollupBusy rather than wait for writers
    still in their transactions."""
    if periods.financial_year_of(as_of) != financial_year:
        raise ValueError(f"{as_of.isoformat()} is not in the financial year {financial_year}.")
    params = {"tenant": tenant.pk, "financial_year": financial_year, "as_of": as_of, "wait": wait}
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL if kvi_ids is not None else _NEEDING_SQL, params)
        rows = cursor.fetchall()
    if kvi_ids is None:
        kvi_ids = [kvi_id for kvi_id, _locked in rows]
        if not kvi_ids:
            return 0  # every row is fresh
    if not rows[0][1]:
        raise RollupBusy(len(kvi_ids))
    kvis = kvi_year_figures(tenant=tenant, as_of=as_of, kvi_ids=kvi_ids)
    if not kvis:
        return 0
    columns = _work_out(kvis, financial_year, as_of, active_proxy_values(tenant=tenant))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL, {**params, **columns})
    return len(kvis)


def _work_out(kvis: list[KviFigures], financial_year: str, as_of: date, proxies: dict) -> dict:
    """Each KVI's status and value, as the upsert's columns (lists in the KVIs' order)."""
    columns: dict[str, list] = {name: [] for name in _COLUMNS}
    priceable: dict[str, bool] = {}  # by metric id
    for kvi in kvis:
        metric = kvi.metric
        has_proxy = priceable.get(metric.id)
        if has_proxy is None:
            has_proxy = priceable[metric.id] = _has_proxy(metric, financial_year, proxies)
        figure = kvi.figure
        money = None
        if has_proxy and figure is not None:
            money = monetise(
                quantity=figure,
                unit=metric.unit,
                financial_year=financial_year,
                measure_code=metric.proxy_measure_code,
                proxies=proxies,
            )
        judged = kvi_status(kvi, figure=figure, as_of=as_of)
        columns["kvi"].append(kvi.id)
        columns["organisation"].append(kvi.organisation_id)
        columns["metric"].append(metric.id)
        columns["counted"].append(kvi.counted)
        columns["awaiting"].append(kvi.awaiting_validation)
        columns["figure"].append(figure)
        columns["status"].append(str(judged.status))
        columns["expected"].append(judged.expected)
        columns["has_proxy"].append(has_proxy)
        columns["quantity"].append(None if money is None else money.quantity)
        columns["gross"].append(None if money is None else money.gross)
        columns["net"].append(None if money is None else money.net)
    return columns


def _has_proxy(metric: MetricFacts, financial_year: str, proxies: dict) -> bool:
    """Whether kvi.value prices the metric's figures that year: it can be priced at all, and the
    active proxy set has its measure for the year."""
    # is_priceable reads only kvi.metric (its proxy measure code and unit).
    return (
        is_priceable(SimpleNamespace(metric=metric))  # type: ignore[arg-type]
        and (metric.proxy_measure_code, financial_year) in proxies
    )
