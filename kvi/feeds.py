"""KVI figures taken straight from an organisation's uploads: a metric's `feed` (MetricFeed)
says which upload gives its figures and how.

- Spend ledger (kvi.ledger): numerator local / SME / VCSE spend, denominator all spend. Local
  spend is known per month (`results["by_month"]`), so it feeds every monthly, quarterly or
  annual period the ledger covers whole. SME and VCSE spend are whole-file totals only (the
  ledger's results hold no monthly split of them), so they feed a KVI only when the ledger's
  months are exactly one of its periods; otherwise the report says why nothing was fed.
- Workforce return (kvi.workforce): numerator WTE with a declared disability (group "Yes"),
  from ethnic minority groups (every group but the White ones and the unsaid, as the NHS
  Workforce Race Equality Standard counts), or living in the most deprived 20% of areas (IMD
  quintile 1, or deciles 1 and 2); denominator all WTE, the undeclared included. A return
  describes the period that starts on its date: it feeds each KVI whose frequency has a period
  starting then.

A figure with no measurement yet is recorded and submitted (kvi.measurements services, so each
step is audited); a draft is replaced and submitted. A submitted, validated or returned figure
is never overwritten: when it differs, the report lists it as needing a correction. Feeding
twice changes nothing the second time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from kvi import periods
from kvi.measurements import measurement_record, measurement_submit
from kvi.models import (
    Frequency,
    Kvi,
    LedgerStatus,
    Measurement,
    MeasurementStatus,
    MetricFeed,
    SpendLedgerImport,
    WorkforceReturn,
)
from kvi.selectors import measurement_figure
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

LEDGER_FEEDS: dict[str, str] = {
    MetricFeed.LEDGER_LOCAL_SPEND: "local_spend",
    MetricFeed.LEDGER_SME_SPEND: "sme_spend",
    MetricFeed.LEDGER_VCSE_SPEND: "vcse_spend",
}
WORKFORCE_FEEDS = (
    MetricFeed.WORKFORCE_DISABILITY,
    MetricFeed.WORKFORCE_ETHNIC_MINORITY,
    MetricFeed.WORKFORCE_MOST_DEPRIVED,
)
ZERO = Decimal(0)


@dataclass(frozen=True)
class FeedFigure:
    """One period's figure for a KVI: numerator over denominator."""

    period: date
    numerator: Decimal
    denominator: Decimal


@dataclass
class FeedReport:
    """What feeding did, KVI by KVI and period by period (each entry a dict for JSON)."""

    source: str
    recorded: list[dict] = field(default_factory=list)  # new, or a draft replaced; submitted
    unchanged: list[dict] = field(default_factory=list)  # already there with the same figures
    needs_correction: list[dict] = field(default_factory=list)  # submitted with other figures
    skipped: list[dict] = field(default_factory=list)  # periods not fed, and why

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "recorded": self.recorded,
            "unchanged": self.unchanged,
            "needs_correction": self.needs_correction,
            "skipped": self.skipped,
        }


# --- Periods ----------------------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months_of(period: date, frequency: str) -> list[date]:
    """The first days of the months in the `frequency` period that starts on `period`."""
    months, month = [], period
    while periods.period_start(month, frequency) == period:
        months.append(month)
        month = _next_month(month)
    return months


def period_label(period: date, frequency: str) -> str:
    """ "April 2022", "April to June 2022" or "2022/23"."""
    if frequency == Frequency.ANNUAL:
        return periods.financial_year_of(period)
    if frequency == Frequency.QUARTERLY:
        last = _months_of(period, frequency)[-1]
        return f"{period:%B} to {last:%B %Y}"
    return f"{period:%B %Y}"


# --- What each upload gives a KVI ---------------------------------------------------------------


def ledger_figures(ledger: SpendLedgerImport, kvi: Kvi) -> tuple[list[FeedFigure], list[str]]:
    """The figures an imported ledger gives a KVI with a ledger feed, and why any period the
    ledger touches is left out."""
    part = LEDGER_FEEDS.get(kvi.metric.feed)
    results = ledger.results
    if part is None or ledger.status != LedgerStatus.IMPORTED or not results:
        return [], []
    if ledger.period_start is None or ledger.period_end is None:
        return [], []
    first, last = _month(ledger.period_start), _month(ledger.period_end)
    span = f"{first:%B %Y} to {last:%B %Y}"
    covered = set(_months_of_range(first, last))
    kvi_periods = periods.periods_between(first, last, kvi.frequency)
    figures: list[FeedFigure] = []
    skipped: list[str] = []
    if part == "local_spend":
        by_month = {
            date.fromisoformat(item["month"]): (
                Decimal(item["spend"]),
                Decimal(item["local_spend"]),
            )
            for item in results.get("by_month", [])
        }
        for period in kvi_periods:
            label = period_label(period, kvi.frequency)
            months = _months_of(period, kvi.frequency)
            if not set(months) <= covered:
                skipped.append(f"{label}: the ledger covers only part of it ({span}).")
                continue
            total = sum((by_month.get(month, (ZERO, ZERO))[0] for month in months), ZERO)
            local = sum((by_month.get(month, (ZERO, ZERO))[1] for month in months), ZERO)
            if total <= 0:
                skipped.append(f"{label}: the ledger has no spend in it (or only credits).")
                continue
            figures.append(FeedFigure(period, local, total))
        return figures, skipped
    what = "SME" if part == "sme_spend" else "VCSE"
    if len(kvi_periods) != 1 or set(_months_of(kvi_periods[0], kvi.frequency)) != covered:
        skipped.append(
            f"The ledger gives {what} spend for the whole file only ({span}), which is not "
            f"exactly one {kvi.get_frequency_display().lower()} period of this KVI."
        )
        return [], skipped
    total = Decimal(results["total_spend"])
    if total <= 0:
        skipped.append(f"{period_label(kvi_periods[0], kvi.frequency)}: the ledger has no spend.")
        return [], skipped
    return [FeedFigure(kvi_periods[0], Decimal(results[part]), total)], skipped


def _months_of_range(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def workforce_figures(workforce_return: WorkforceReturn, kvi: Kvi) -> tuple[list, list[str]]:
    """The figure a workforce return gives a KVI with a workforce feed, or why it gives none."""
    from kvi.workforce import feed_numerator  # kvi.workforce feeds KVIs through this module

    feed = kvi.metric.feed
    if feed not in WORKFORCE_FEEDS:
        return [], []
    period = workforce_return.period
    if not periods.is_period_start(period, kvi.frequency):
        start = periods.period_start(period, kvi.frequency)
        return [], [
            f"The return is for {period:%-d %B %Y}, which does not start a "
            f"{kvi.get_frequency_display().lower()} period (the one it falls in starts on "
            f"{start:%-d %B %Y})."
        ]
    numerator, problem = feed_numerator(workforce_return.counts, feed)
    if numerator is None:
        return [], [problem]
    if workforce_return.total_wte <= 0:
        return [], ["The return counts no WTE."]
    return [FeedFigure(period, numerator, workforce_return.total_wte)], []


# --- Feeding ------------------------------------------------------------------------------------


def _same(kvi: Kvi, measurement: Measurement, figure: FeedFigure) -> bool:
    if measurement.value is None:
        return (measurement.numerator, measurement.denominator) == (
            figure.numerator,
            figure.denominator,
        )
    fed = Measurement(numerator=figure.numerator, denominator=figure.denominator)
    return measurement.value == measurement_figure(kvi, fed)


def _current(measurement: Measurement | None) -> str:
    if measurement is None:
        return ""
    if measurement.value is not None:
        return f"{measurement.value.normalize():,f}"
    return f"{measurement.numerator.normalize():,f} / {measurement.denominator.normalize():,f}"


def _entry(kvi: Kvi, figure: FeedFigure, message: str = "", current=None) -> dict:
    return {
        "kvi": kvi.code,
        "kvi_id": str(kvi.pk),
        "period": figure.period.isoformat(),
        "label": period_label(figure.period, kvi.frequency),
        "numerator": f"{figure.numerator:f}",
        "denominator": f"{figure.denominator:f}",
        "current": _current(current),
        "message": message,
    }


def _feed(*, tenant, actor, access, report: FeedReport, kvi: Kvi, figures, note: str) -> None:
    existing = {
        m.period: m
        for m in Measurement.objects.filter(
            tenant=tenant, kvi=kvi, period__in=[f.period for f in figures]
        )
    }
    who = {"tenant": tenant, "actor": actor, "access": access}
    for figure in figures:
        measurement = existing.get(figure.period)
        if measurement is not None and measurement.status != MeasurementStatus.DRAFT:
            if _same(kvi, measurement, figure):
                report.unchanged.append(_entry(kvi, figure, current=measurement))
            else:
                report.needs_correction.append(
                    _entry(
                        kvi,
                        figure,
                        f"Already {measurement.get_status_display().lower()} with other "
                        "figures: correct it, giving a reason, if the upload is right.",
                        current=measurement,
                    )
                )
            continue
        try:
            measurement = measurement_record(
                kvi=kvi,
                period=figure.period,
                numerator=figure.numerator,
                denominator=figure.denominator,
                note=note,
                source=report.source,
                **who,
            )
            measurement_submit(measurement=measurement, **who)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            report.skipped.append(_entry(kvi, figure, " ".join(messages)))
            continue
        report.recorded.append(_entry(kvi, figure))


def _feed_all(*, tenant, actor, access, obj, verb, report, kvis, figures_of, note) -> FeedReport:
    for kvi in kvis:
        figures, skipped = figures_of(kvi)
        for reason in skipped:
            report.skipped.append({"kvi": kvi.code, "kvi_id": str(kvi.pk), "message": reason})
        _feed(
            tenant=tenant,
            actor=actor,
            access=access,
            report=report,
            kvi=kvi,
            figures=figures,
            note=note,
        )
    if report.recorded:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb=verb,
            obj=obj,
            changes={
                "recorded": [[e["kvi"], e["period"]] for e in report.recorded],
                "needs_correction": [[e["kvi"], e["period"]] for e in report.needs_correction],
            },
        )
    return report


def fed_kvis(*, tenant, organisation, feeds) -> list[Kvi]:
    """The organisation's KVIs whose metric takes one of `feeds`, with their metric. One query."""
    return list(
        Kvi.objects.filter(tenant=tenant, organisation=organisation, metric__feed__in=list(feeds))
        .select_related("metric")
        .order_by("code")
    )


def ledger_feed(*, tenant, actor, access: TenantAccess, ledger: SpendLedgerImport) -> FeedReport:
    """Record the figures an imported ledger gives its organisation's KVIs (see the module)."""
    access.require(Perm.UPLOAD_ORGANISATION_DATA, organisation_id=ledger.organisation_id)
    report = FeedReport(source=f"Spend ledger {ledger.file_name}"[:300])
    if ledger.tenant_id != tenant.id or ledger.status != LedgerStatus.IMPORTED:
        return report
    note = (
        f"Worked out from the spend ledger {ledger.file_name}: postcodes by "
        f"{ledger.results.get('release', '')}, local area {ledger.results.get('local_area', '')}."
    )
    return _feed_all(
        tenant=tenant,
        actor=actor,
        access=access,
        obj=ledger,
        verb="spend_ledger.fed_kvis",
        report=report,
        kvis=fed_kvis(tenant=tenant, organisation=ledger.organisation, feeds=LEDGER_FEEDS),
        figures_of=lambda kvi: ledger_figures(ledger, kvi),
        note=note,
    )


def workforce_feed(
    *, tenant, actor, access: TenantAccess, workforce_return: WorkforceReturn
) -> FeedReport:
    """Record the figures a workforce return gives its organisation's KVIs."""
    access.require(Perm.UPLOAD_ORGANISATION_DATA, organisation_id=workforce_return.organisation_id)
    report = FeedReport(source=f"Workforce return {workforce_return.file_name}"[:300])
    if workforce_return.tenant_id != tenant.id:
        return report
    return _feed_all(
        tenant=tenant,
        actor=actor,
        access=access,
        obj=workforce_return,
        verb="workforce_return.fed_kvis",
        report=report,
        kvis=fed_kvis(
            tenant=tenant, organisation=workforce_return.organisation, feeds=WORKFORCE_FEEDS
        ),
        figures_of=lambda kvi: workforce_figures(workforce_return, kvi),
        note=f"Worked out from the workforce return {workforce_return.file_name}.",
    )


# --- How an upload's figures stand in the KVIs (for its page) ----------------------------------


@dataclass(frozen=True)
class FeedLine:
    """One period of one fed KVI: the upload's figure beside the KVI's current figure."""

    kvi: Kvi
    figure: FeedFigure | None
    label: str
    value: Decimal | None  # the upload's figure as the KVI reads it (x 100 for %)
    measurement: Measurement | None
    state: str  # "missing", "matches", "draft", "differs" or "skipped"
    message: str = ""


def feed_lines(*, tenant, kvis: list[Kvi], figures_of) -> list[FeedLine]:
    """For each KVI, each figure the upload gives it and whether the KVI holds it. One query
    (the measurements) after the KVIs."""
    planned = [(kvi, *figures_of(kvi)) for kvi in kvis]
    wanted: defaultdict[object, list[date]] = defaultdict(list)
    for kvi, figures, _ in planned:
        wanted[kvi.pk] += [figure.period for figure in figures]
    measurements = {
        (m.kvi_id, m.period): m
        for m in Measurement.objects.filter(
            tenant=tenant,
            kvi_id__in=[pk for pk, found in wanted.items() if found],
            period__in={period for found in wanted.values() for period in found},
        )
    }
    lines = []
    for kvi, figures, skipped in planned:
        for figure in figures:
            measurement = measurements.get((kvi.pk, figure.period))
            if measurement is None:
                state = "missing"
            elif measurement.status == MeasurementStatus.DRAFT:
                state = "draft"
            else:
                state = "matches" if _same(kvi, measurement, figure) else "differs"
            fed = Measurement(numerator=figure.numerator, denominator=figure.denominator)
            lines.append(
                FeedLine(
                    kvi=kvi,
                    figure=figure,
                    label=period_label(figure.period, kvi.frequency),
                    value=measurement_figure(kvi, fed),
                    measurement=measurement,
                    state=state,
                )
            )
        lines += [FeedLine(kvi, None, "", None, None, "skipped", message) for message in skipped]
    return lines
