"""Monetised social value: a KVI's figure for a financial year × the £ per unit its measure has
in the tenant's active proxy set for that year, gross and net of deadweight and attribution.

    gross = quantity × £ per unit
    net   = gross × (1 − deadweight %) × (1 − attribution %)

Money stays Decimal at full precision; it is rounded only for display, and always shown beside
its units ("1,240 hours × £14.20 = £17,608 gross, £12,326 net"). A measure with no proxy for the
year is reported as a count, never priced (monetise returns None); "%" figures are never priced.

Loading proxy sets and choosing the active version: kvi/value_load.py (re-exported here).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, QuerySet

from kvi import periods
from kvi.models import Kvi, ProxySet, ProxyValue, Unit
from kvi.selectors import year_to_date
from kvi.value_load import (
    PROXY_SET_MAX_BYTES,
    ProxyRowError,
    ProxySetRefused,
    parse_proxy_file,
    proxy_set_activate,
    proxy_set_load,
)

PENNY = Decimal("0.01")
POUND = Decimal("1")
HUNDRED = Decimal(100)


# --- Display ---------------------------------------------------------------------------------


def format_money(amount: Decimal, *, pence: bool = True) -> str:
    """£ with thousands separators, rounded half up to pence (or whole pounds): "£17,608.00"."""
    rounded = Decimal(amount).quantize(PENNY if pence else POUND, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,}"


def format_rate(amount: Decimal) -> str:
    """A £-per-unit rate: to pence, with more places only where the rate has them: "£14.20",
    "£0.035"."""
    exact = Decimal(amount).normalize()
    exponent = exact.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -2:
        return format_money(amount)
    sign = "−" if exact < 0 else ""
    return f"{sign}£{abs(exact):,f}"


def format_quantity(quantity: Decimal, unit: str = "") -> str:
    """A quantity with its unit, at most two decimal places and no trailing zeros: "1,240 hours",
    "12.5 tCO2e", "£1,000" for a quantity of pounds."""
    rounded = Decimal(quantity).quantize(PENNY, rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if unit == Unit.POUNDS:
        return f"£{text}"
    return f"{text} {unit}".strip()


# --- Monetising -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonetisedValue:
    quantity: Decimal
    unit: str
    proxy: ProxyValue
    gross: Decimal
    net: Decimal
    financial_year: str

    @property
    def rate(self) -> str:
        """The proxy, e.g. "£14.20 per hour"."""
        return f"{format_rate(self.proxy.value_per_unit)} per {self.proxy.unit}"

    @property
    def gross_display(self) -> str:
        return format_money(self.gross)

    @property
    def net_display(self) -> str:
        return format_money(self.net)

    @property
    def summary(self) -> str:
        """Units first, £ second: "1,240 hours × £14.20 = £17,608 gross, £12,326 net"."""
        return (
            f"{format_quantity(self.quantity, self.unit)} × "
            f"{format_rate(self.proxy.value_per_unit)} = "
            f"{format_money(self.gross, pence=False)} gross, "
            f"{format_money(self.net, pence=False)} net"
        )

    def __str__(self) -> str:
        return self.summary


def monetise(
    *, quantity: Decimal, unit: str, financial_year: str, measure_code: str, proxies: dict
) -> MonetisedValue | None:
    """Price a quantity with the proxy of its measure for that financial year (from
    active_proxy_values). None when there is no proxy: the quantity is reported as a count."""
    proxy = proxies.get((measure_code, financial_year))
    if proxy is None:
        return None
    quantity = Decimal(quantity)
    gross = quantity * Decimal(proxy.value_per_unit)
    net = (
        gross
        * (1 - Decimal(proxy.deadweight_pct) / HUNDRED)
        * (1 - Decimal(proxy.attribution_pct) / HUNDRED)
    )
    return MonetisedValue(
        quantity=quantity,
        unit=unit,
        proxy=proxy,
        gross=gross,
        net=net,
        financial_year=financial_year,
    )


# --- Reads ----------------------------------------------------------------------------------


def proxy_set_list(*, tenant) -> QuerySet[ProxySet]:
    """The tenant's loaded proxy sets, every version (by name, newest version first), each with
    `value_count`, `measure_count`, `first_year` and `last_year`: one query."""
    return (
        ProxySet.objects.filter(tenant=tenant)
        .select_related("loaded_by")
        .annotate(
            value_count=Count("values"),
            measure_count=Count("values__measure_code", distinct=True),
            first_year=Min("values__financial_year"),
            last_year=Max("values__financial_year"),
        )
        .order_by("name", "-version")
    )


def proxy_set_get(*, tenant, pk) -> ProxySet | None:
    """One version of the tenant's proxy sets, with its counts (as in proxy_set_list)."""
    return proxy_set_list(tenant=tenant).filter(pk=pk).first()


def proxy_value_list(*, tenant, proxy_set: ProxySet) -> QuerySet[ProxyValue]:
    return ProxyValue.objects.filter(tenant=tenant, proxy_set=proxy_set).order_by(
        "measure_code", "financial_year"
    )


def active_proxy_set(*, tenant) -> ProxySet | None:
    return ProxySet.objects.filter(tenant=tenant, is_active=True).first()


def active_proxy_values(*, tenant) -> dict[tuple[str, str], ProxyValue]:
    """(measure code, financial year) -> the active set's value (with its set): one query; {}
    when the tenant has no active set."""
    values = ProxyValue.objects.filter(
        tenant=tenant, proxy_set__tenant=tenant, proxy_set__is_active=True
    ).select_related("proxy_set")
    return {(value.measure_code, value.financial_year): value for value in values}


def is_priceable(kvi: Kvi) -> bool:
    """Whether a KVI's figures can be monetised at all: its metric names a proxy measure and
    is not a percentage."""
    return bool(kvi.metric.proxy_measure_code) and kvi.metric.unit != Unit.PERCENT


def kvi_year_value(
    *, tenant, kvi: Kvi, financial_year: str, proxies: dict | None = None
) -> MonetisedValue | None:
    """The KVI's figure for the financial year (the whole year, or the year so far) × its
    measure's proxy for that year. None when the metric names no proxy measure, is a "%", has no
    figures that year or no proxy for that year. Pass `proxies` (active_proxy_values) when
    pricing many KVIs; the figure then costs one query (none when there is no proxy)."""
    if not is_priceable(kvi):
        return None
    if proxies is None:
        proxies = active_proxy_values(tenant=tenant)
    if (kvi.metric.proxy_measure_code, financial_year) not in proxies:
        return None
    quantity = year_to_date(
        tenant=tenant, kvi=kvi, as_of=periods.financial_year_end(financial_year)
    )
    if quantity is None:
        return None
    return monetise(
        quantity=quantity,
        unit=kvi.metric.unit,
        financial_year=financial_year,
        measure_code=kvi.metric.proxy_measure_code,
        proxies=proxies,
    )


__all__ = [
    "PROXY_SET_MAX_BYTES",
    "MonetisedValue",
    "ProxyRowError",
    "ProxySetRefused",
    "active_proxy_set",
    "active_proxy_values",
    "format_money",
    "format_quantity",
    "format_rate",
    "is_priceable",
    "kvi_year_value",
    "monetise",
    "parse_proxy_file",
    "proxy_set_activate",
    "proxy_set_get",
    "proxy_set_list",
    "proxy_set_load",
    "proxy_value_list",
]
