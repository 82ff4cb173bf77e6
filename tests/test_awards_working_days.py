"""Working days in England and Wales: the bank holiday rules against GOV.UK's published lists
for 2020–2025, and counting working days forward and between dates."""

from datetime import date, timedelta

import pytest

from awards.working_days import (
    add_working_days,
    bank_holidays,
    is_bank_holiday,
    is_working_day,
    working_days_between,
)

d = date.fromisoformat

# https://www.gov.uk/bank-holidays (England and Wales), as published.
GOV_UK = {
    2020: [
        "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08",
        "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28",
    ],
    2021: [
        "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03",
        "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28",
    ],
    2022: [
        "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02",
        "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27",
    ],
    2023: [
        "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
        "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
    ],
    2024: [
        "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
        "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
    ],
    2025: [
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05",
        "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(GOV_UK))
def test_bank_holidays_match_gov_uk(year):
    assert sorted(bank_holidays(year)) == [d(x) for x in GOV_UK[year]]


def test_the_one_off_changes():
    # 2020: early May moved from Monday 4 to Friday 8 May (VE Day).
    assert not is_bank_holiday(d("2020-05-04")) and is_bank_holiday(d("2020-05-08"))
    # 2022: spring moved from Monday 30 May to Thursday 2 June, plus the Jubilee and funeral.
    assert not is_bank_holiday(d("2022-05-30"))
    assert {d("2022-06-02"), d("2022-06-03"), d("2022-09-19")} <= bank_holidays(2022)
    # 2023: the coronation on Monday 8 May, besides the usual early May (1 May).
    assert {d("2023-05-01"), d("2023-05-08")} <= bank_holidays(2023)


def test_substitute_days_at_weekends():
    # Christmas on a Saturday, Boxing Day on a Sunday: Monday 27 and Tuesday 28 (2021).
    assert {d("2021-12-27"), d("2021-12-28")} <= bank_holidays(2021)
    # Christmas on a Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27 (2022).
    assert {d("2022-12-26"), d("2022-12-27")} <= bank_holidays(2022)
    # New Year's Day on a Sunday: Monday 2 January (2023).
    assert is_bank_holiday(d("2023-01-02")) and not is_bank_holiday(d("2023-01-01"))
    # 2027: Christmas on a Saturday again.
    assert {d("2027-12-27"), d("2027-12-28")} <= bank_holidays(2027)


def test_is_working_day():
    assert is_working_day(d("2025-04-17"))  # Thursday before Easter
    assert not is_working_day(d("2025-04-18"))  # Good Friday
    assert not is_working_day(d("2025-04-19"))  # Saturday
    assert not is_working_day(d("2025-04-20"))  # Sunday
    assert not is_working_day(d("2025-04-21"))  # Easter Monday
    assert is_working_day(d("2025-04-22"))


def test_add_working_days_skips_weekends_and_bank_holidays():
    sent = d("2025-04-16")  # Wednesday before Easter
    assert add_working_days(sent, 0) == sent
    assert add_working_days(sent, 1) == d("2025-04-17")
    assert add_working_days(sent, 2) == d("2025-04-22")  # over Good Friday to Easter Monday
    # The 10th working day is Friday 2 May; the 11th skips the early May bank holiday.
    assert add_working_days(sent, 10) == d("2025-05-02")
    assert add_working_days(sent, 11) == d("2025-05-06")
    # From a Friday, one working day is the Monday.
    assert add_working_days(d("2024-06-07"), 1) == d("2024-06-10")
    # Christmas 2022: Friday 23 → Wednesday 28 December.
    assert add_working_days(d("2022-12-23"), 1) == d("2022-12-28")
    with pytest.raises(ValueError):
        add_working_days(sent, -1)


def test_working_days_between_counts_after_start_up_to_end():
    sent = d("2025-04-16")
    assert working_days_between(sent, sent) == 0
    assert working_days_between(sent, d("2025-05-02")) == 10
    assert working_days_between(sent, d("2025-05-05")) == 10  # a bank holiday adds nothing
    assert working_days_between(sent, d("2025-05-06")) == 11
    assert working_days_between(d("2025-05-02"), sent) == -10
    # Inverse of add_working_days over a year of start days and spans.
    start = d("2022-01-01")
    for offset in range(0, 365, 7):
        for n in (1, 5, 10, 21):
            begin = start + timedelta(days=offset)
            assert working_days_between(begin, add_working_days(begin, n)) == n
