"""KVIs as they stood at the data freeze, and what reports show of them: the KVI table (last
year's and this year's figures, target, status, SPC icons), SPC charts, monetised value and the
totals across organisations.

Reads in a fixed number of queries, whatever the number of KVIs and figures: the KVIs (metric,
sub-theme, theme and organisation joined), the changes made to them after the freeze (audit
events), their measurements, the corrections made after the freeze, then the proxy set in
force at the freeze. Figures are worked out in Python with the KVI engine's own functions
(kvi.dashboard.year_figure, spc_of, status_of; kvi.value.monetise), so a report says what the
KVI pages say.

Figures at the freeze (kvi.models.Measurement):
- a measurement created after the freeze is left out;
- one corrected after the freeze is read with the old figures and status of its earliest
  correction after it (MeasurementRevision);
- otherwise it counts (kvi.selectors.COUNTED_STATUSES) when it was submitted by the freeze: a
  draft submitted after it does not; a figure returned after it was still submitted at it.
KVIs created after the freeze are left out; a KVI's target, baseline, title or chart settings
changed after it are read as they were (the "kvi.changed" audit events keep old and new)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kvi import periods
from kvi.dashboard import (
    figure_text,
    previous_year_end,
    spc_of,
    status_of,
    target_text,
    year_figure,
)
from kvi.models import Kvi, Measurement, MeasurementRevision, MeasurementStatus, Unit
from kvi.selectors import COUNTED_STATUSES
from kvi.spc import SpcResult
from kvi.status import KviStatus, KviStatusResult
from kvi.value import MonetisedValue, format_quantity, format_rate, is_priceable, monetise
from reporting.content.common import Freeze, money_text, month_text, spc_to_data
from tenancy.models import AuditEvent

# KVI fields restored from "kvi.changed" / "kvi.spc_settings_changed" audit events, with how
# the stored text reads back.
_RESTORABLE: dict[str, Callable[[str], object]] = {
    "title": str,
    "target_value": Decimal,
    "target_financial_year": str,
    "target_date": date.fromisoformat,
    "baseline_value": Decimal,
    "baseline_period": date.fromisoformat,
    "spc_baseline_points": int,
    "spc_shift_length": int,
    "spc_trend_length": int,
    "spc_screen_outliers": lambda text: text == "True",
}


def frozen_kvis(*, tenant, freeze: Freeze, organisation=None, kvi_ids=None) -> list[Kvi]:
    """The tenant's KVIs that existed at the freeze (of one organisation, or those of
    `kvi_ids`), as they were then, with organisation, metric, sub-theme and theme. Two
    queries."""
    kvis = Kvi.objects.filter(tenant=tenant, created_at__lt=freeze.end).select_related(
        "organisation", "metric", "metric__subtheme", "metric__subtheme__theme"
    )
    if organisation is not None:
        kvis = kvis.filter(organisation=organisation)
    if kvi_ids is not None:
        kvis = kvis.filter(pk__in=list(kvi_ids))
    found = list(kvis.order_by("organisation__name", "code"))
    if found:
        _restore_changed_fields(tenant, freeze, found)
    return found


def _restore_changed_fields(tenant, freeze: Freeze, kvis: list[Kvi]) -> None:
    by_id = {str(kvi.pk): kvi for kvi in kvis}
    events = (
        AuditEvent.objects.filter(
            tenant=tenant,
            verb__in=("kvi.changed", "kvi.spc_settings_changed"),
            object_type=Kvi._meta.label_lower,
            object_id__in=list(by_id),
            created_at__gte=freeze.end,
        )
        .order_by("created_at", "id")
        .values_list("object_id", "changes")
    )
    restored: set[tuple[str, str]] = set()
    for object_id, changes in events:
        for name, change in (changes or {}).items():
            if name not in _RESTORABLE or (object_id, name) in restored:
                continue
            restored.add((object_id, name))
            if not isinstance(change, list) or len(change) != 2:
                continue
            old = change[0]
            try:
                value = None if old is None else _RESTORABLE[name](old)
            except (ValueError, ArithmeticError):
                continue
            setattr(by_id[object_id], name, value)


def frozen_counted(*, tenant, freeze: Freeze, kvis: list[Kvi]) -> dict:
    """KVI id -> its counted measurements at the freeze, in period order (unsaved copies
    carrying the figures as they were). Two queries."""
    counted: dict = {kvi.pk: [] for kvi in kvis}
    if not kvis:
        return counted
    ids = list(counted)
    old: dict = {}
    revisions = (
        MeasurementRevision.objects.filter(
            tenant=tenant, measurement__kvi_id__in=ids, changed_at__gte=freeze.end
        )
        .order_by("measurement_id", "changed_at", "id")
        .values_list(
            "measurement_id", "old_status", "old_value", "old_numerator", "old_denominator"
        )
    )
    for measurement_id, *figures in revisions:
        old.setdefault(measurement_id, figures)
    rows = (
        Measurement.objects.filter(tenant=tenant, kvi_id__in=ids, created_at__lt=freeze.end)
        .only(
            "id",
            "kvi_id",
            "period",
            "value",
            "numerator",
            "denominator",
            "status",
            "submitted_at",
            "updated_at",
        )  # fmt: skip
        .order_by("kvi_id", "period")
    )
    for row in rows:
        if row.pk in old:
            status, value, numerator, denominator = old[row.pk]
        else:
            status, value, numerator = row.status, row.value, row.numerator
            denominator = row.denominator
            submitted = row.submitted_at
            if status in COUNTED_STATUSES and submitted is not None and submitted >= freeze.end:
                continue  # a draft at the freeze
            if (
                status == MeasurementStatus.RETURNED
                and row.updated_at >= freeze.end
                and (submitted is None or submitted < freeze.end)
            ):
                status = MeasurementStatus.SUBMITTED  # returned after the freeze
        if status not in COUNTED_STATUSES:
            continue
        counted[row.kvi_id].append(
            Measurement(
                id=row.pk,
                kvi_id=row.kvi_id,
                period=row.period,
                value=value,
                numerator=numerator,
                denominator=denominator,
                status=status,
            )
        )
    return counted


# --- One KVI's figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class KviFigures:
    kvi: Kvi
    counted: list[Measurement]
    year_to_date: Decimal | None
    last_year: Decimal | None
    status: KviStatusResult
    spc: SpcResult


def kvi_figures(kvi: Kvi, counted: list[Measurement], as_of: date) -> KviFigures:
    """The KVI's year to date at `as_of`, last financial year's figure, status and SPC (up to
    the period containing `as_of`), as the KVI dashboard works them out."""
    ytd = year_figure(kvi, counted, as_of)
    return KviFigures(
        kvi=kvi,
        counted=counted,
        year_to_date=ytd,
        last_year=year_figure(kvi, counted, previous_year_end(as_of)),
        status=status_of(kvi, ytd, as_of),
        spc=spc_of(kvi, counted, as_of=as_of),
    )


def baseline_text(kvi: Kvi) -> str:
    if kvi.baseline_value is None:
        return ""
    text = figure_text(kvi, kvi.baseline_value)
    if kvi.baseline_period is not None:
        text += f" ({month_text(kvi.baseline_period)})"
    return text


def kvi_row(figures: KviFigures) -> dict:
    """A row of the KVI table."""
    kvi = figures.kvi
    theme = kvi.metric.subtheme.theme
    return {
        "id": str(kvi.pk),
        "code": kvi.code,
        "title": kvi.title,
        "organisation": kvi.organisation.name,
        "theme": theme.name,
        "subtheme": kvi.metric.subtheme.name,
        "metric": kvi.metric.name,
        "unit": kvi.metric.unit,
        "frequency": kvi.get_frequency_display(),
        "baseline": baseline_text(kvi),
        "previous_year": figure_text(kvi, figures.last_year),
        "year_to_date": figure_text(kvi, figures.year_to_date),
        "target": target_text(kvi),
        "status": str(figures.status.status),
        "status_label": figures.status.label,
        "status_colour": figures.status.tag_colour,
        "variation": figures.spc.variation_icon,
        "assurance": figures.spc.assurance_icon,
        "figures_counted": len(figures.counted),
    }


def kvi_table(figures: Iterable[KviFigures], narratives: dict) -> list[dict]:
    """KVI rows grouped by theme (in the framework's order), each theme with its narrative."""
    groups: dict[tuple, dict] = {}
    for item in figures:
        theme = item.kvi.metric.subtheme.theme
        key = (theme.position, theme.name)
        group = groups.setdefault(
            key,
            {"name": theme.name, "narrative": str(narratives.get(theme.name, "")), "rows": []},
        )
        group["rows"].append(kvi_row(item))
    return [groups[key] for key in sorted(groups)]


def chart_data(figures: KviFigures) -> dict:
    kvi = figures.kvi
    return {
        "kvi_id": str(kvi.pk),
        "code": kvi.code,
        "title": f"{kvi.code} {kvi.title}",
        "unit": kvi.metric.unit,
        "organisation": kvi.organisation.name,
        "spc": spc_to_data(figures.spc),
    }


# --- Monetised value ---------------------------------------------------------------------------


def year_value(item: KviFigures, financial_year: str, proxies: dict) -> MonetisedValue | None:
    """The KVI's year to date × its measure's proxy for the year (kvi.value.monetise); None
    when it cannot be priced."""
    kvi = item.kvi
    if item.year_to_date is None or not is_priceable(kvi):
        return None
    return monetise(
        quantity=item.year_to_date,
        unit=kvi.metric.unit,
        financial_year=financial_year,
        measure_code=kvi.metric.proxy_measure_code,
        proxies=proxies,
    )


def value_by_theme(
    figures: Iterable[KviFigures], *, financial_year: str, proxies: dict, proxy_set: str | None
) -> dict:
    """Monetised value of the year to date by theme: each priced KVI (units first, £ second),
    and the KVIs reported as counts (no proxy, or a percentage, which is never priced)."""
    themes: dict[tuple, dict] = {}
    unpriced = []
    gross_total = net_total = Decimal(0)
    priced_any = False
    for item in figures:
        kvi = item.kvi
        money = year_value(item, financial_year, proxies)
        if money is None:
            if item.year_to_date is not None and kvi.metric.unit != Unit.PERCENT:
                unpriced.append(
                    {
                        "kvi": f"{kvi.code} {kvi.title}",
                        "quantity": format_quantity(item.year_to_date, kvi.metric.unit),
                    }
                )
            continue
        priced_any = True
        theme = kvi.metric.subtheme.theme
        group = themes.setdefault(
            (theme.position, theme.name),
            {"name": theme.name, "gross": Decimal(0), "net": Decimal(0), "lines": []},
        )
        group["gross"] += money.gross
        group["net"] += money.net
        gross_total += money.gross
        net_total += money.net
        group["lines"].append(
            {
                "kvi": f"{kvi.code} {kvi.title}",
                "quantity": format_quantity(money.quantity, money.unit),
                "rate": f"{format_rate(money.proxy.value_per_unit)} per {money.proxy.unit}",
                "gross": money_text(money.gross),
                "net": money_text(money.net),
            }
        )
    return {
        "financial_year": financial_year,
        "proxy_set": proxy_set,
        "themes": [
            {**group, "gross": money_text(group["gross"]), "net": money_text(group["net"])}
            for _key, group in sorted(themes.items())
        ],
        "unpriced": unpriced,
        "total_gross": money_text(gross_total) if priced_any else "",
        "total_net": money_text(net_total) if priced_any else "",
    }


# --- Totals across organisations ----------------------------------------------------------------

_JUDGED = (KviStatus.ON_TRACK, KviStatus.AT_RISK, KviStatus.OFF_TRACK)


def _tally() -> dict:
    return {"kvis": 0, "on_track": 0, "at_risk": 0, "off_track": 0, "not_judged": 0,
            "reporting": 0, "gross": Decimal(0), "net": Decimal(0), "priced": 0}  # fmt: skip


def _add(tally: dict, item: KviFigures, money: MonetisedValue | None) -> None:
    tally["kvis"] += 1
    status = item.status.status
    tally[str(status) if status in _JUDGED else "not_judged"] += 1
    tally["reporting"] += item.year_to_date is not None
    if money is not None:
        tally["priced"] += 1
        tally["gross"] += money.gross
        tally["net"] += money.net


def _tally_text(tally: dict) -> dict:
    priced = tally["priced"] > 0
    return {
        **tally,
        "gross": money_text(tally["gross"]) if priced else "",
        "net": money_text(tally["net"]) if priced else "",
    }


def totals_across(
    figures: list[KviFigures], *, financial_year: str, proxies: dict, proxy_set: str | None
) -> dict:
    """The tenant overview's counts (kvi.overview: KVIs on track, at risk, off track, not
    judged; monetised value gross and net) for the whole programme, by theme and by
    organisation, worked out from the figures at the freeze rather than the live rollup."""
    totals = _tally()
    themes: dict[tuple, dict] = {}
    organisations: dict[tuple, dict] = {}
    for item in figures:
        money = year_value(item, financial_year, proxies)
        theme = item.kvi.metric.subtheme.theme
        organisation = item.kvi.organisation
        _add(totals, item, money)
        _add(
            themes.setdefault((theme.position, theme.name), {"name": theme.name, **_tally()}),
            item,
            money,
        )
        _add(
            organisations.setdefault(
                (organisation.name.casefold(), str(organisation.pk)),
                {"name": organisation.name, **_tally()},
            ),
            item,
            money,
        )
    return {
        "financial_year": financial_year,
        "proxy_set": proxy_set,
        "totals": _tally_text(totals),
        "themes": [_tally_text(themes[key]) for key in sorted(themes)],
        "organisations": [_tally_text(organisations[key]) for key in sorted(organisations)],
    }


def figures_for(
    *, tenant, freeze: Freeze, as_of: date, organisation=None, kvi_ids=None
) -> list[KviFigures]:
    """Every KVI (of the organisation, or of `kvi_ids`) at the freeze with its figures at
    `as_of`. Four queries."""
    kvis = frozen_kvis(tenant=tenant, freeze=freeze, organisation=organisation, kvi_ids=kvi_ids)
    counted = frozen_counted(tenant=tenant, freeze=freeze, kvis=kvis)
    return [kvi_figures(kvi, counted[kvi.pk], as_of) for kvi in kvis]


def financial_years(as_of: date) -> tuple[str, str]:
    """(this financial year, the one before) of `as_of`."""
    return periods.financial_year_of(as_of), periods.financial_year_of(previous_year_end(as_of))


__all__ = [
    "KviFigures",
    "chart_data",
    "figures_for",
    "financial_years",
    "frozen_counted",
    "frozen_kvis",
    "kvi_figures",
    "kvi_row",
    "kvi_table",
    "totals_across",
    "value_by_theme",
]
