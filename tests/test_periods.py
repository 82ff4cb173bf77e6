"""NHS financial years (1 April - 31 March, "2022/23"), reporting periods and combining figures."""

from datetime import date
from decimal import Decimal

import pytest

from kvi.periods import (
    combine,
    financial_year_end,
    financial_year_label,
    financial_year_of,
    financial_year_start,
    is_period_start,
    period_start,
    periods_between,
    year_to_date_periods,
)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2022, 4, 1), "2022/23"),
        (date(2022, 9, 30), "2022/23"),
        (date(2022, 12, 31), "2022/23"),
        (date(2023, 1, 1), "2022/23"),
        (date(2023, 3, 31), "2022/23"),
        (date(2023, 4, 1), "2023/24"),
        (date(1999, 6, 15), "1999/00"),  # the century rolls over in the label
        (date(2000, 2, 29), "1999/00"),
    ],
)
def test_financial_year_of(day, label):
    assert financial_year_of(day) == label


def test_financial_year_label():
    assert financial_year_label(2022) == "2022/23"
    assert financial_year_label(2099) == "2099/00"


def test_financial_year_start_and_end():
    assert financial_year_start("2022/23") == date(2022, 4, 1)
    assert financial_year_end("2022/23") == date(2023, 3, 31)
    assert financial_year_start("1999/00") == date(1999, 4, 1)
    assert financial_year_end("1999/00") == date(2000, 3, 31)
    # Start, end and label agree.
    assert financial_year_of(financial_year_end("2023/24")) == "2023/24"


@pytest.mark.parametrize(
    "label", ["2022/24", "2022-23", "2022/2023", "22/23", " 2022/23", "2022/23 ", "", "abcd/ef"]
)
def test_financial_year_labels_are_validated(label):
    with pytest.raises(ValueError, match="2022/23|financial year"):
        financial_year_start(label)
    with pytest.raises(ValueError):
        financial_year_end(label)


def test_financial_year_label_error_names_the_expected_second_year():
    with pytest.raises(ValueError, match='"2022/23"'):
        financial_year_start("2022/24")


@pytest.mark.parametrize(
    ("day", "frequency", "start"),
    [
        (date(2023, 2, 15), "monthly", date(2023, 2, 1)),
        (date(2023, 2, 1), "monthly", date(2023, 2, 1)),
        # Quarters of the financial year: April, July, October, January.
        (date(2022, 4, 1), "quarterly", date(2022, 4, 1)),
        (date(2022, 6, 30), "quarterly", date(2022, 4, 1)),
        (date(2022, 7, 1), "quarterly", date(2022, 7, 1)),
        (date(2022, 9, 30), "quarterly", date(2022, 7, 1)),
        (date(2022, 11, 5), "quarterly", date(2022, 10, 1)),
        (date(2022, 12, 31), "quarterly", date(2022, 10, 1)),
        (date(2023, 2, 15), "quarterly", date(2023, 1, 1)),
        (date(2023, 3, 31), "quarterly", date(2023, 1, 1)),
        # Annual periods start on 1 April.
        (date(2023, 2, 15), "annual", date(2022, 4, 1)),
        (date(2023, 4, 1), "annual", date(2023, 4, 1)),
        (date(2022, 12, 31), "annual", date(2022, 4, 1)),
    ],
)
def test_period_start(day, frequency, start):
    assert period_start(day, frequency) == start


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="weekly"):
        period_start(date(2023, 1, 1), "weekly")
    with pytest.raises(ValueError):
        periods_between(date(2023, 1, 1), date(2023, 2, 1), "fortnightly")


def test_is_period_start():
    assert is_period_start(date(2022, 5, 1), "monthly")
    assert not is_period_start(date(2022, 5, 2), "monthly")
    assert is_period_start(date(2023, 1, 1), "quarterly")
    assert not is_period_start(date(2022, 5, 1), "quarterly")
    assert not is_period_start(date(2023, 2, 1), "quarterly")
    assert is_period_start(date(2022, 4, 1), "annual")
    assert not is_period_start(date(2023, 1, 1), "annual")


def test_periods_between_monthly_includes_both_ends():
    assert periods_between(date(2022, 11, 15), date(2023, 2, 3), "monthly") == [
        date(2022, 11, 1),
        date(2022, 12, 1),
        date(2023, 1, 1),
        date(2023, 2, 1),
    ]
    assert periods_between(date(2022, 5, 1), date(2022, 5, 31), "monthly") == [date(2022, 5, 1)]


def test_periods_between_quarterly_and_annual():
    assert periods_between(date(2022, 5, 1), date(2023, 4, 30), "quarterly") == [
        date(2022, 4, 1),
        date(2022, 7, 1),
        date(2022, 10, 1),
        date(2023, 1, 1),
        date(2023, 4, 1),
    ]
    assert periods_between(date(2021, 3, 31), date(2023, 4, 1), "annual") == [
        date(2020, 4, 1),
        date(2021, 4, 1),
        date(2022, 4, 1),
        date(2023, 4, 1),
    ]


def test_periods_between_refuses_an_end_before_the_start():
    with pytest.raises(ValueError, match="before"):
        periods_between(date(2023, 2, 1), date(2023, 1, 1), "monthly")


def test_year_to_date_monthly_at_september_is_april_to_september():
    periods = year_to_date_periods(date(2022, 9, 1), "monthly")
    assert periods == [date(2022, month, 1) for month in range(4, 10)]
    assert len(periods) == 6
    # Mid-month, the month itself is the current period.
    assert year_to_date_periods(date(2022, 9, 20), "monthly") == periods


def test_year_to_date_crosses_the_calendar_year():
    assert year_to_date_periods(date(2023, 2, 1), "monthly") == [
        date(2022, 4, 1),
        date(2022, 5, 1),
        date(2022, 6, 1),
        date(2022, 7, 1),
        date(2022, 8, 1),
        date(2022, 9, 1),
        date(2022, 10, 1),
        date(2022, 11, 1),
        date(2022, 12, 1),
        date(2023, 1, 1),
        date(2023, 2, 1),
    ]
    assert year_to_date_periods(date(2023, 2, 1), "quarterly") == [
        date(2022, 4, 1),
        date(2022, 7, 1),
        date(2022, 10, 1),
        date(2023, 1, 1),
    ]
    assert year_to_date_periods(date(2023, 2, 1), "annual") == [date(2022, 4, 1)]
    # On 1 April a new year starts with one period.
    assert year_to_date_periods(date(2023, 4, 1), "monthly") == [date(2023, 4, 1)]


def test_combine_sum_average_latest():
    values = [Decimal("1.5"), Decimal("2"), Decimal("4.25")]
    assert combine(values, "sum") == Decimal("7.75")
    # (1 + 2 + 4.5) / 3 = 7.5 / 3 = 2.5
    assert combine([Decimal("1"), Decimal("2"), Decimal("4.5")], "average") == Decimal("2.5")
    assert combine(values, "latest") == Decimal("4.25")
    assert combine([Decimal("3")], "average") == Decimal("3")


def test_combine_ratio_is_summed_numerators_over_summed_denominators():
    # Local spend: Apr £10 of £100, May £30 of £100, Jun £0 of £200.
    # (10 + 30 + 0) / (100 + 100 + 200) = 40 / 400 = 0.1, not the mean of the monthly ratios
    # (0.1 + 0.3 + 0) / 3 = 0.1333...
    pairs = [
        (Decimal("10"), Decimal("100")),
        (Decimal("30"), Decimal("100")),
        (Decimal("0"), Decimal("200")),
    ]
    assert combine(pairs, "ratio") == Decimal("0.1")
    # A month with a zero denominator is fine while the total is not zero.
    assert combine([(Decimal("0"), Decimal("0")), (Decimal("1"), Decimal("4"))], "ratio") == (
        Decimal("0.25")
    )


def test_combine_ratio_refuses_a_zero_total_denominator():
    with pytest.raises(ValueError, match="zero"):
        combine([(Decimal("1"), Decimal("0")), (Decimal("2"), Decimal("0"))], "ratio")


def test_combine_refuses_no_figures_unknown_methods_and_floats():
    for method in ("sum", "average", "latest", "ratio"):
        with pytest.raises(ValueError, match="no figures"):
            combine([], method)
    with pytest.raises(ValueError, match="median"):
        combine([Decimal("1")], "median")
    with pytest.raises(TypeError):
        combine([0.1, 0.2], "sum")
    with pytest.raises(TypeError):
        combine([Decimal("1")], "ratio")
    # Whole numbers are accepted and come back as Decimal.
    assert combine([1, 2], "sum") == Decimal("3")
    assert isinstance(combine([1, 2], "sum"), Decimal)
