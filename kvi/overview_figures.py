"""KVIs with their year-to-date figures, worked out in PostgreSQL for many KVIs at once: what
the tenant overview's rollup (kvi.rollup) is refreshed from.

Year-to-date figures are not built by loading every measurement into Python. One statement
groups the year's counted measurements (validated, and submitted ones awaiting validation) by
KVI, joins them to the KVIs, and returns per KVI two numbers ``a`` and ``b`` that Python combines
exactly as kvi.selectors.year_to_date combines the rows (Python's decimal division, so the
figures are equal to the last digit):

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
(rare) a second query reads their rows and kvi.selectors.combined_figure combines them.

The year runs from 1 April to ``as_of``: stored periods always start a period of the KVI's
frequency and the frequency is fixed once a KVI has measurements (kvi.measurements), so
``period <= as_of`` is year_to_date's "up to the period containing as_of" for every frequency.

Queries: one (two when some KVI needs its rows read), whatever the number of KVIs.
"""

from collections import namedtuple
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from kvi import periods
from kvi.models import Aggregation, MeasurementStatus, Unit
from kvi.selectors import combined_figure

AVERAGE = str(Aggregation.AVERAGE)  # (a plain str: comparing to it is cheaper than the enum)
HUNDRED = Decimal(100)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class MetricFacts:
    """The attributes of a metric that kvi.status and kvi.value read from ``kvi.metric``."""

    id: str  # the metric's UUID as text
    code: str
    unit: str
    direction: str
    aggregation: str
    proxy_measure_code: str
    # Ratios of a "%" metric read as percentages (13.09), others as plain fractions.
    scale: Decimal


@dataclass(slots=True)
class KviFigures:
    """One KVI with its figure for the year: what kvi.status.kvi_status reads of a Kvi (target,
    baseline, ``metric``), its organisation, and its counted figures."""

    # UUIDs as text: parsing tens of thousands of UUIDs into uuid.UUID costs more than the rest.
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


# The KVIs (every one of the tenant's, or those named: {kvis}) with "a" and "b" (module
# docstring) from their year's counted measurements, grouped by KVI in one pass ({measurements}
# limits the pass to the named KVIs); a NULL "a" with counted figures means "read the rows". The
# latest figure of "latest" KVIs is read backwards along the unique (tenant, KVI, period) index.
FIGURES_SQL = """
WITH counted AS (
    SELECT m.kvi_id, count(*) AS counted, count(m.value) AS value_count,
           sum(coalesce(m.value, m.numerator)) AS total, sum(m.denominator) AS denominator_total,
           count(*) FILTER (WHERE m.status = %(submitted)s) AS awaiting
    FROM kvi_measurement m
    WHERE m.tenant_id = %(tenant)s {measurements}
      AND m.status IN (%(validated)s, %(submitted)s)
      AND m.period >= %(year_start)s AND m.period <= %(as_of)s
    GROUP BY m.kvi_id
)
SELECT k.id::text, k.organisation_id::text, k.metric_id::text, mt.code, mt.unit, mt.direction,
       mt.aggregation, mt.proxy_measure_code, k.target_value, k.target_date,
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
LEFT JOIN counted c ON c.kvi_id = k.id
LEFT JOIN LATERAL (
    SELECT l.value, l.numerator, l.denominator
    FROM kvi_measurement l
    WHERE mt.aggregation = %(latest)s AND c.counted > 0
      AND l.tenant_id = k.tenant_id AND l.kvi_id = k.id
      AND l.status IN (%(validated)s, %(submitted)s)
      AND l.period >= %(year_start)s AND l.period <= %(as_of)s
    ORDER BY l.period DESC
    LIMIT 1
) last ON true
WHERE k.tenant_id = %(tenant)s {kvis}
"""

_ROWS_SQL = """
SELECT m.kvi_id::text, m.value, m.numerator, m.denominator
FROM kvi_measurement m
WHERE m.tenant_id = %(tenant)s AND m.kvi_id = ANY(%(kvi_ids)s::uuid[])
  AND m.status IN (%(validated)s, %(submitted)s)
  AND m.period >= %(year_start)s AND m.period <= %(as_of)s
ORDER BY m.kvi_id, m.period
"""

_Row = namedtuple("_Row", "value numerator denominator")  # what combined_figure reads


def figures_params(tenant_id, as_of: date, kvi_ids=None) -> dict:
    """FIGURES_SQL's parameters: the tenant, the year from 1 April to ``as_of``, the names."""
    return {
        "tenant": tenant_id,
        "year_start": periods.financial_year_start(periods.financial_year_of(as_of)),
        "as_of": as_of,
        "kvi_ids": [str(pk) for pk in kvi_ids or ()],
        "validated": MeasurementStatus.VALIDATED,
        "submitted": MeasurementStatus.SUBMITTED,
        "ratio": Aggregation.RATIO,
        "latest": Aggregation.LATEST,
        "average": Aggregation.AVERAGE,
        "percent": Unit.PERCENT,
    }


def kvi_year_figures(*, tenant, as_of: date, kvi_ids=None) -> list[KviFigures]:
    """The tenant's KVIs (every one, or only ``kvi_ids``) with their year-to-date figures at
    ``as_of`` (each equal to kvi.selectors.year_to_date) and their counts, in no particular
    order. One query, two when some KVI needs its rows read."""
    params = figures_params(tenant.pk, as_of, kvi_ids)
    named = kvi_ids is not None
    sql = FIGURES_SQL.format(
        measurements="AND m.kvi_id = ANY(%(kvi_ids)s::uuid[])" if named else "",
        kvis="AND k.id = ANY(%(kvi_ids)s::uuid[])" if named else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    metrics: dict[str, MetricFacts] = {}
    kvis = []
    from_rows = []
    for (kvi_id, organisation_id, metric_id, code, unit, direction, aggregation, proxy_code,
         target_value, target_date, target_financial_year, baseline_value, baseline_period,
         counted, awaiting, a, b) in rows:  # fmt: skip
        metric = metrics.get(metric_id)
        if metric is None:
            scale = HUNDRED if unit == Unit.PERCENT else ONE
            metric = metrics[metric_id] = MetricFacts(
                metric_id, code, unit, direction, aggregation, proxy_code, scale
            )
        if not counted or a is None:
            figure = None  # no figures; or one the sums cannot give (read from the rows)
        elif b is None:
            figure = a  # a sum, or the latest figure entered as a value
        elif aggregation == AVERAGE:
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
    rows, combined by kvi.selectors.combined_figure in period order (one query)."""
    rows: dict[str, list[_Row]] = {kvi.id: [] for kvi in kvis}
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, {**params, "kvi_ids": list(rows)})
        for kvi_id, value, numerator, denominator in cursor.fetchall():
            rows[kvi_id].append(_Row(value, numerator, denominator))
    for kvi in kvis:
        # combined_figure reads kvi.metric's aggregation and unit, which MetricFacts has.
        kvi.figure = combined_figure(kvi, rows[kvi.id])  # type: ignore[arg-type]
