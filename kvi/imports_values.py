"""Raw values of a measurement import read as the import needs them: text, figures (as
kvi.measurements._decimal takes them, within what a Measurement column holds) and periods (a
date written 2022-04-01 or 01/04/2022, or a spreadsheet date cell)."""

import re
from datetime import date, datetime
from decimal import Decimal

from kvi.models import Aggregation, Kvi

FIGURES = ("value", "numerator", "denominator")

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def as_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def number_text(raw):
    """A raw figure as kvi.measurements._decimal takes it: text, an int or a Decimal. A JSON or
    spreadsheet float is taken as written (its shortest form, "0.1309"), and True/False are
    text, so that they are refused as "not a number"."""
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal | None):
        return str(raw)
    return raw.strip() if isinstance(raw, str) else raw


def plain(number: Decimal) -> str:
    """12.500000 -> "12.5", 1E+3 -> "1000"."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_period(raw) -> tuple[date | None, str]:
    """A period written as a date (2022-04-01, 01/04/2022, a spreadsheet date cell), or the
    reason it is not one."""
    if isinstance(raw, datetime):
        if raw.time() != datetime.min.time():
            return None, "Enter the period as a date without a time of day."
        return raw.date(), ""
    if isinstance(raw, date):
        return raw, ""
    text = as_text(raw)
    if not text:
        return (
            None,
            "Enter the period: the first day of the month, quarter or year, e.g. 2022-04-01.",
        )
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _UK_DATE.match(text):
        day, month, year = match.groups()
    else:
        return None, (
            f'Enter the period as a date, e.g. 2022-04-01 or 01/04/2022; "{text}" is not one.'
        )
    try:
        return date(int(year), int(month), int(day)), ""
    except ValueError:
        return None, f'"{text}" is not a real date.'


def figure_kind(kvi: Kvi) -> str:
    """What a row of this KVI gives: "numerator and denominator" or "value"."""
    return "numerator and denominator" if kvi.metric.aggregation == Aggregation.RATIO else "value"
