"""Working days in England and Wales: weekdays that are not bank holidays.

Bank holidays are worked out by rule (New Year's Day, Good Friday, Easter Monday, the early May,
spring and summer bank holidays, Christmas Day and Boxing Day, with substitute days when they
fall at a weekend) plus the one-off changes made by proclamation. GOV.UK publishes the list
(https://www.gov.uk/bank-holidays); tests/test_awards_working_days.py checks these rules
against it. A future one-off change goes in ONE_OFF_CHANGES.
"""

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6

# year -> (days the rule gives that were moved away, extra days). Royal and national occasions.
ONE_OFF_CHANGES: dict[int, tuple[frozenset[date], frozenset[date]]] = {
    # Golden Jubilee: spring bank holiday moved to Tuesday 4 June, Monday 3 June added.
    2002: (frozenset({date(2002, 5, 27)}), frozenset({date(2002, 6, 3), date(2002, 6, 4)})),
    # Wedding of Prince William and Catherine Middleton.
    2011: (frozenset(), frozenset({date(2011, 4, 29)})),
    # Diamond Jubilee: spring bank holiday moved to Monday 4 June, Tuesday 5 June added.
    2012: (frozenset({date(2012, 5, 28)}), frozenset({date(2012, 6, 4), date(2012, 6, 5)})),
    # 75th anniversary of VE Day: early May bank holiday moved to Friday 8 May.
    2020: (frozenset({date(2020, 5, 4)}), frozenset({date(2020, 5, 8)})),
    # Platinum Jubilee: spring bank holiday moved to Thursday 2 June, Friday 3 June added;
    # the State Funeral of Queen Elizabeth II on Monday 19 September.
    2022: (
        frozenset({date(2022, 5, 30)}),
        frozenset({date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)}),
    ),
    # The coronation of King Charles III.
    2023: (frozenset(), frozenset({date(2023, 5, 8)})),
}


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    day = next_month - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - MONDAY) % 7)


def _next_weekday(day: date, taken: set[date]) -> date:
    while day.weekday() >= SATURDAY or day in taken:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in `year`."""
    good_friday = easter(year) - timedelta(days=2)
    days = {
        good_friday,
        good_friday + timedelta(days=3),  # Easter Monday
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    # New Year's Day, Christmas and Boxing Day move to the next free weekday at a weekend.
    new_year = _next_weekday(date(year, 1, 1), set())
    christmas = _next_weekday(date(year, 12, 25), set())
    boxing_day = _next_weekday(date(year, 12, 26), {christmas})
    days |= {new_year, christmas, boxing_day}
    moved, added = ONE_OFF_CHANGES.get(year, (frozenset(), frozenset()))
    return frozenset((days - moved) | added)


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < SATURDAY and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (`start` itself not counted): a decision
    sent on a Wednesday with 1 working day to appeal may be appealed up to the Thursday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end` (negative when
    `end` is before `start`): add_working_days(a, n) == b gives working_days_between(a, b) == n
    for a working day b."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
