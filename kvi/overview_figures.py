"""Every KVI of a tenant with its figure for a financial year, worked out in PostgreSQL.

The tenant overview judges every KVI of every organisation at once (2,000 organisations × 10
KVIs × 36 monthly figures is 720,000 measurements), so year-to-date figures are not built by
loading measurements into Python. One statement groups the year's counted measurements
(validated, and submitted ones awaiting validation) by KVI, joins them to the KVIs, and returns
per KVI two numbers ``a`` and ``b`` that Python combines exactly as kvi.selectors.year_to_date
combines the rows (Python's decimal division, so the figures are equal to the last digit):

- sum:     a = Σ value                                  figure = a
- average: a = Σ value, b = n                           figure = a ÷ b
- latest:  a = the last period's value                  figure = a
           (or its numerator, b its denominator)        figure = a ÷ b × scale
- ratio:   a = Σ numerator, b = Σ denominator           figure = a ÷ b × scale
           (all entered as values: a = Σ value, b = n × scale)

where scale is 100 for "%" metrics (year_to_date reads a value entered for a ratio KVI as
value ÷ scale over 1; a ÷ b is the same number as year_to_date's quotient, so it rounds alike).
A sum or average KVI with figures entered as numerators and denominators adds per-period ratios,
each rounded by the division, and a ratio KVI may mix values with ratios; for those KVIs alone
(rare) a second query reads their rows and Python combines them as year_to_date does.

The year runs from 1 April to ``as_of``: stored periods always start a period of the KVI's
frequency and the frequency is fixed once a KVI has measurements (kvi.measurements), so
``period <= as_of`` is year_to_date's "up to the period containing as_of" for every frequency.

Queries: the tenant's metrics with their themes (one), a SET LOCAL work_mem (inside a
transaction) and the figures (one; two when some sum or average KVI has figures entered as
ratios), whatever the number of KVIs or measurements.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from kvi import periods
from kvi.models import Aggregation, MeasurementStatus, Metric, Unit

WORK_MEM = "64MB"
AVERAGE = str(Aggregation.AVERAGE)  # (a plain str: comparing to it is cheaper than the enum)
HUNDRED = Decimal(100)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class MetricFacts:
    """What the overview needs of a metric: the attributes kvi.status and kvi.value read from
    ``kvi.metric``, and its theme."""

    id: str  # the metric's UUID as text
    code: str
    name: str
    unit: str
    direction: str
    aggregation: str
    proxy_measure_code: str
    theme_name: str
    theme_position: int
    framework_name: str
    # Ratios of a "%" metric read as percentages (13.09), others as plain fractions.
    scale: Decimal


@dataclass(slots=True)
class KviFigures:
    """One KVI with its figure for the year: what kvi.status.kvi_status reads of a Kvi (target,
    baseline, ``metric``), its organisation, and its counted figures."""

    # UUIDs as text: parsing 60,000 UUIDs into uuid.UUID would cost more than the rest.
    id: str
    organisation_id: str
    metric: MetricFacts
    target_value: Decimal | None
    target_date: date | None
    target_financial_year: str
    baseline_value: Decimal | None
    baseline_period: date | None
    counted: int  # validated and submitted figures in the year to date
    awaiting_validation: int  # submitted figures in the year to date
    figure: Decimal | None  # the year-to-date figure; None without counted figures


# The figures of every KVI: the year's counted measurements grouped by KVI (one pass over the
# year's rows), joined to the KVIs; "a" and "b" are what Python combines (module docstring); a
# NULL "a" with counted figures means "read the rows". The latest figure of "latest" KVIs is read
# backwards along the unique (tenant, KVI, period) index, for those KVIs only.
FIGURES_SQL = """
SELECT k.id::text, k.organisation_id::text, k.metric_id::text, k.target_value, k.target_date,
       k.target_financial_year, k.baseline_value, k.baseline_period, c.counted, c.awaiting,
       CASE
         WHEN mt.aggregation = %(latest)s THEN coalesce(last.value, last.numerator)
         WHEN mt.aggregation = %(ratio)s AND c.value_count IN (0, c.counted) THEN c.total
         WHEN mt.aggregation <> %(ratio)s AND c.value_count = c.counted THEN c.total
       END,
       CASE
         WHEN mt.aggregation = %(latest)s THEN last.denominator
         WHEN mt.aggregation = %(ratio)s AND c.value_count = 0 THEN c.denominator_total
         WHEN mt.aggregation = %(ratio)s
           THEN c.counted * CASE WHEN mt.unit = %(percent)s THEN 100 ELSE 1 END
         WHEN mt.aggregation = %(average)s THEN c.counted
       END
FROM kvi_kvi k
JOIN kvi_metric mt ON mt.id = k.metric_id AND mt.tenant_id = k.tenant_id
LEFT JOIN (
    SELECT m.kvi_id, count(*) AS counted, count(m.value) AS value_count,
           sum(coalesce(m.value, m.numerator)) AS total, sum(m.denominator) AS denominator_total,
           count(*) FILTER (WHERE m.status = %(submitted)s) AS awaiting
    FROM kvi_measurement m
    WHERE m.tenant_id = %(tenant)s AND m.status IN (%(validated)s, %(submitted)s)
      AND m.period >= %(year_start)s AND m.period <= %(as_of)s
    GROUP BY m.kvi_id
) c ON c.kvi_id = k.id
LEFT JOIN LATERAL (
    SELECT l.value, l.numerator, l.denominator
    FROM kvi_measurement l
    WHERE mt.aggregation = %(latest)s
      AND l.tenant_id = k.tenant_id AND l.kvi_id = k.id
      AND l.status IN (%(validated)s, %(submitted)s)
      AND l.period >= %(year_start)s AND l.period <= %(as_of)s
    ORDER BY l.period DESC
    LIMIT 1
) last ON true
WHERE k.tenant_id = %(tenant)s
"""

_ROWS_SQL = """
SELECT m.kvi_id::text, m.value, m.numerator, m.denominator
FROM kvi_measurement m
WHERE m.tenant_id = %(tenant)s AND m.kvi_id = ANY(%(kvi_ids)s::uuid[])
  AND m.status IN (%(validated)s, %(submitted)s)
  AND m.period >= %(year_start)s AND m.period <= %(as_of)s
ORDER BY m.kvi_id, m.period
"""


def figures_params(tenant_id, as_of: date) -> dict:
    """FIGURES_SQL's parameters: the tenant, the year from 1 April to ``as_of``, the names."""
    return {
        "tenant": tenant_id,
        "year_start": periods.financial_year_start(periods.financial_year_of(as_of)),
        "as_of": as_of,
        "validated": MeasurementStatus.VALIDATED,
        "submitted": MeasurementStatus.SUBMITTED,
        "ratio": Aggregation.RATIO,
        "latest": Aggregation.LATEST,
        "average": Aggregation.AVERAGE,
        "percent": Unit.PERCENT,
    }


def metric_facts(*, tenant) -> dict[str, MetricFacts]:
    """The tenant's metrics (every framework version, its own and organisations') with their
    themes, by id (as text): one query."""
    rows = Metric.objects.filter(tenant=tenant).values_list(
        "id",
        "code",
        "name",
        "unit",
        "direction",
        "aggregation",
        "proxy_measure_code",
        "subtheme__theme__name",
        "subtheme__theme__position",
        "framework__name",
    )
    return {
        str(row[0]): MetricFacts(
            str(row[0]), *row[1:], scale=HUNDRED if row[3] == Unit.PERCENT else ONE
        )
        for row in rows
    }


def kvi_year_figures(
    *, tenant, as_of: date, metrics: dict[str, MetricFacts] | None = None
) -> list[KviFigures]:
    """Every KVI of the tenant with its year-to-date figure at ``as_of`` (equal to
    kvi.selectors.year_to_date for each) and its counts, in no particular order. Pass
    ``metrics`` (metric_facts) if you have them; see the module docstring for the queries."""
    if metrics is None:
        metrics = metric_facts(tenant=tenant)
    params = figures_params(tenant.pk, as_of)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Room to group the year's rows by KVI in memory (a hash per KVI) rather than
            # sorting them on disk; for this transaction only.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(FIGURES_SQL, params)
        rows = cursor.fetchall()
    kvis = []
    from_rows = []
    for (kvi_id, organisation_id, metric_id, target_value, target_date, target_financial_year,
         baseline_value, baseline_period, counted, awaiting, a, b) in rows:  # fmt: skip
        metric = metrics[metric_id]
        if not counted or a is None:
            figure = None  # no figures; or one the sums cannot give (read from the rows)
        elif b is None:
            figure = a  # a sum, or the latest figure entered as a value
        elif metric.aggregation == AVERAGE:
            figure = a / b
        else:  # a ratio, or the latest figure entered as a ratio
            figure = a / b * metric.scale
        kvi = KviFigures(
            kvi_id,
            organisation_id,
            metric,
            target_value,
            target_date,
            target_financial_year,
            baseline_value,
            baseline_period,
            counted or 0,
            awaiting or 0,
            figure,
        )
        kvis.append(kvi)
        if counted and a is None:
            from_rows.append(kvi)
    if from_rows:
        _combine_rows(from_rows, params)
    return kvis


def _combine_rows(kvis: list[KviFigures], params: dict) -> None:
    """Set the figures of the KVIs the sums cannot give (see the module docstring) from their
    rows, combined in period order as kvi.selectors.year_to_date does (one query)."""
    by_id = {kvi.id: kvi for kvi in kvis}
    rows: dict[str, list] = {kvi_id: [] for kvi_id in by_id}
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, {**params, "kvi_ids": list(by_id)})
        for kvi_id, value, numerator, denominator in cursor.fetchall():
            rows[kvi_id].append((value, numerator, denominator))
    for kvi_id, kvi in by_id.items():
        scale = kvi.metric.scale
        if kvi.metric.aggregation == Aggregation.RATIO:
            pairs = [(v / scale, ONE) if v is not None else (n, d) for v, n, d in rows[kvi_id]]
            kvi.figure = periods.combine(pairs, Aggregation.RATIO) * scale
        else:
            figures = [v if v is not None else n / d * scale for v, n, d in rows[kvi_id]]
            kvi.figure = periods.combine(figures, kvi.metric.aggregation)
