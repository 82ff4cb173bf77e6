"""NHS financial years, reporting periods and how a year's figures combine.

NHS financial years run from 1 April to 31 March and are labelled ``2022/23``. A reporting period
is always stored as the date of its first day: monthly periods start on the 1st of a month,
quarterly periods on 1 April, 1 July, 1 October or 1 January (the quarters of the financial
year), and annual periods on 1 April. "Year to date" (YTD) runs from 1 April of the financial
year that contains the date in question.

Pure functions over ``datetime.date`` and ``Decimal``: no database, no Django.
"""

import functools
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

Frequency = Literal["monthly", "quarterly", "annual"]
MONTHLY: Frequency = "monthly"
QUARTERLY: Frequency = "quarterly"
ANNUAL: Frequency = "annual"
FREQUENCIES: tuple[Frequency, ...] = (MONTHLY, QUARTERLY, ANNUAL)

CombineMethod = Literal["sum", "average", "latest", "ratio"]
SUM: CombineMethod = "sum"
AVERAGE: CombineMethod = "average"
LATEST: CombineMethod = "latest"
RATIO: CombineMethod = "ratio"
COMBINE_METHODS: tuple[CombineMethod, ...] = (SUM, AVERAGE, LATEST, RATIO)

FINANCIAL_YEAR_START_MONTH = 4  # April
_MONTHS_PER_PERIOD: dict[str, int] = {MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12}
_FINANCIAL_YEAR_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


# --- Financial years ------------------------------------------------------------------------


def _financial_year_start_year(d: date) -> int:
    """The calendar year in which the financial year containing ``d`` began."""
    return d.year if d.month >= FINANCIAL_YEAR_START_MONTH else d.year - 1


def financial_year_label(start_year: int) -> str:
    """The label of the financial year that begins on 1 April ``start_year``: 2022 -> "2022/23"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(d: date) -> str:
    """The label of the financial year containing ``d``: 30 Sep 2022 -> "2022/23"."""
    return financial_year_label(_financial_year_start_year(d))


def _parse_financial_year(label: str) -> int:
    """The start year of a financial year label such as "2022/23"; ValueError if malformed."""
    if not isinstance(label, str):
        raise ValueError(f'A financial year is written like "2022/23"; got {label!r}.')
    return _parse_financial_year_text(label)


@functools.lru_cache(maxsize=256)
def _parse_financial_year_text(label: str) -> int:
    # Cached: dashboards and the overview read the same few labels for thousands of KVIs.
    match = _FINANCIAL_YEAR_LABEL.match(label)
    if match is None:
        raise ValueError(
            f'A financial year is written like "2022/23" (four-digit start year, a slash, the '
            f"last two digits of the next year); got {label!r}."
        )
    start_year = int(match.group(1))
    if int(match.group(2)) != (start_year + 1) % 100:
        raise ValueError(
            f"{label!r} is not a financial year: the second part must be the year after "
            f'{start_year}, as in "{financial_year_label(start_year)}".'
        )
    return start_year


def financial_year_start(label: str) -> date:
    """1 April of the financial year ``label``: "2022/23" -> 2022-04-01."""
    return date(_parse_financial_year(label), FINANCIAL_YEAR_START_MONTH, 1)


def financial_year_end(label: str) -> date:
    """31 March that closes the financial year ``label``: "2022/23" -> 2023-03-31."""
    return date(_parse_financial_year(label) + 1, 3, 31)


# --- Reporting periods ----------------------------------------------------------------------


def _months_per_period(frequency: str) -> int:
    try:
        return _MONTHS_PER_PERIOD[frequency]
    except KeyError:
        raise ValueError(
            f"Unknown reporting frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}."
        ) from None


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(d: date, frequency: str) -> date:
    """The first day of the ``frequency`` period containing ``d``.

    Quarters and years follow the financial year: 2023-02-15 is in the quarter starting
    2023-01-01 and the year starting 2022-04-01.
    """
    months = _months_per_period(frequency)
    # Months since the start of the financial year (April = 0 ... March = 11), rounded down
    # to a whole number of periods.
    months_into_year = (d.month - FINANCIAL_YEAR_START_MONTH) % 12
    year_start = date(_financial_year_start_year(d), FINANCIAL_YEAR_START_MONTH, 1)
    return _add_months(year_start, months_into_year - months_into_year % months)


def is_period_start(d: date, frequency: str) -> bool:
    """Whether ``d`` is the first day of a ``frequency`` period (how periods are stored)."""
    return period_start(d, frequency) == d


def periods_between(start: date, end: date, frequency: str) -> list[date]:
    """The starts of every ``frequency`` period from the one containing ``start`` to the one
    containing ``end``, both included, in order. ValueError if ``end`` is before ``start``."""
    if end < start:
        raise ValueError(f"The end date {end.isoformat()} is before the start {start.isoformat()}.")
    months = _months_per_period(frequency)
    current = period_start(start, frequency)
    last = period_start(end, frequency)
    periods = []
    while current <= last:
        periods.append(current)
        current = _add_months(current, months)
    return periods


def year_to_date_periods(as_of: date, frequency: str) -> list[date]:
    """The ``frequency`` periods from 1 April of the financial year containing ``as_of`` up to
    and including the period containing ``as_of``: at 2022-09-01, monthly, April to September
    2022 (six periods)."""
    year_start = date(_financial_year_start_year(as_of), FINANCIAL_YEAR_START_MONTH, 1)
    return periods_between(year_start, as_of, frequency)


# --- Combining a year's figures -------------------------------------------------------------


def _as_decimal(value: object) -> Decimal:
    """Decimals and integers only: a binary float would bring spurious digits into KVI figures."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"KVI figures are Decimal (or int); got {type(value).__name__}.")
    return Decimal(value)


def combine(values: Sequence[Decimal] | Sequence[tuple[Decimal, Decimal]], method: str) -> Decimal:
    """Combine the figures of several periods (in period order) into one, as the metric says.

    - "sum": the total, e.g. volunteer hours over the year.
    - "average": the arithmetic mean of the periods' values.
    - "latest": the value of the last period, e.g. a headcount at the year end.
    - "ratio": ``values`` are (numerator, denominator) pairs; the result is the summed
      numerators over the summed denominators (a fraction: 0.1309 for 13.09%), never an average
      of the periods' ratios. A total denominator of zero is refused.

    An empty ``values`` is refused for every method: no figures is not the same as zero.
    """
    if method not in COMBINE_METHODS:
        raise ValueError(
            f"Unknown way to combine periods {method!r}; expected one of "
            f"{', '.join(COMBINE_METHODS)}."
        )
    if len(values) == 0:
        raise ValueError("There are no figures to combine.")
    if method == RATIO:
        numerators = []
        denominators = []
        for pair in values:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError("A ratio combines (numerator, denominator) pairs.")
            numerators.append(_as_decimal(pair[0]))
            denominators.append(_as_decimal(pair[1]))
        total_denominator = sum(denominators, Decimal(0))
        if total_denominator == 0:
            raise ValueError("The denominators add up to zero, so the ratio is undefined.")
        return sum(numerators, Decimal(0)) / total_denominator
    figures = [_as_decimal(value) for value in values]
    if method == SUM:
        return sum(figures, Decimal(0))
    if method == AVERAGE:
        return sum(figures, Decimal(0)) / len(figures)
    return figures[-1]  # LATEST
