"""The CSV files of a metric library and its crosswalks: their columns, spreadsheet-safe cells,
reading an upload with pandas (every cell text), and checking each row.

Rows are numbered as the import report shows them: 1 is the first row after the header.
Checks touch no table except what their callers pass in; kvi.library writes.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import IO

import pandas as pd
from django.core.exceptions import ValidationError

from api.renderers import FORMULA_STARTS, neutralise
from kvi.models import Aggregation, CrosswalkScheme, Direction, MetricFeed, Unit
from uploads.checks import CheckedFile, FileType, check_upload
from uploads.tables import UnreadableTable, read_csv_text

LIBRARY_COLUMNS = [
    "theme",
    "sub_theme",
    "code",
    "name",
    "definition",
    "unit",
    "direction",
    "aggregation",
    "proxy_measure_code",
    "feed",
    "organisation",
]
LIBRARY_REQUIRED = LIBRARY_COLUMNS[:8]
CROSSWALK_COLUMNS = ["metric_code", "scheme", "item_code", "item_label"]
CROSSWALK_REQUIRED = CROSSWALK_COLUMNS[:3]
MAX_BYTES = 5 * 1024 * 1024
# The longest text each column may hold (the models' limits).
MAX_LENGTHS = {
    "theme": 200,
    "sub_theme": 200,
    "code": 40,
    "name": 200,
    "proxy_measure_code": 60,
    "organisation": 200,
    "metric_code": 40,
    "item_code": 60,
    "item_label": 300,
}
LIBRARY_MESSAGES = {
    "theme": "Enter the theme.",
    "sub_theme": "Enter the sub-theme.",
    "code": "Enter the metric's code.",
    "name": "Enter the metric's name.",
    "definition": "Say exactly what the metric counts.",
}
CROSSWALK_MESSAGES = {
    "metric_code": "Enter the code of the metric to map.",
    "item_code": "Enter the item's code in that scheme.",
}
# A cell starting with one of these after an apostrophe was guarded by `cell`.
_GUARDED = (*FORMULA_STARTS, "'")


@dataclass(frozen=True)
class RowError:
    row: int | None  # 1 = the first row after the header; None = the file as a whole
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


# --- Writing ---------------------------------------------------------------------------------


def cell(value) -> str:
    """Spreadsheet-safe text (`neutralise`) that `uncell` reads back exactly: a text already
    starting with an apostrophe before a guarded character gets one more."""
    text = "" if value is None else str(value)
    if text[:1] == "'" and text[1:2] in _GUARDED:
        text = "'" + text
    return neutralise(text)


def uncell(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in _GUARDED else text


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return buffer.getvalue()


# --- Reading ---------------------------------------------------------------------------------


def _column_name(name) -> str:
    """Headers compared loosely: " Sub-theme " -> "sub_theme"."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def _parse(uploaded_file: IO[bytes], file_name: str) -> pd.DataFrame:
    try:
        return read_csv_text(uploaded_file)
    except UnreadableTable as error:
        raise ValidationError(f"{file_name}: {error}") from error


def read_csv(
    uploaded_file: IO[bytes], *, columns: list[str], required: list[str]
) -> tuple[pd.DataFrame, CheckedFile]:
    """The file as text (`columns`, optional ones blank when absent, cells trimmed), row N
    after the header at index N, wholly blank rows dropped; and the checked file. Refuses
    (ValidationError) a file that is not a CSV, lacks a required column or has no rows."""
    checked = check_upload(uploaded_file, allowed_types=[FileType.CSV], max_bytes=MAX_BYTES)
    frame = _parse(uploaded_file, checked.file_name)
    frame.columns = [_column_name(name) for name in frame.columns]
    if missing := [column for column in required if column not in frame.columns]:
        plural = "s" if len(missing) > 1 else ""
        raise ValidationError(
            f"{checked.file_name} has no {', '.join(missing)} column{plural}: the first row "
            f"must name the columns {', '.join(columns)}."
        )
    frame = frame.fillna("")
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame = frame[frame.ne("").any(axis=1)]
    if frame.empty:
        raise ValidationError(f"{checked.file_name} has no rows after the header.")
    return frame[columns].map(lambda text: uncell(text.strip())), checked


def _records(frame: pd.DataFrame):
    return zip(frame.index, frame.to_dict("records"), strict=True)


# --- Checking rows ---------------------------------------------------------------------------


def choice(value: str, choices) -> str | None:
    """The stored value of a choice given as its value or its label, in any case."""
    folded = value.casefold()
    for stored, label in choices:
        if folded in (str(stored).casefold(), str(label).casefold()):
            return stored
    return None


def _required(number: int, row: dict, messages: dict[str, str]) -> list[RowError]:
    return [RowError(number, column, text) for column, text in messages.items() if not row[column]]


def _lengths(number: int, row: dict, columns: list[str]) -> list[RowError]:
    return [
        RowError(number, column, f"Use at most {MAX_LENGTHS[column]} characters.")
        for column in columns
        if column in MAX_LENGTHS and len(row[column]) > MAX_LENGTHS[column]
    ]


def _choice_error(number: int, column: str, value: str, noun: str, values) -> RowError:
    allowed = ", ".join(str(v) for v in values if v)
    if not value:
        return RowError(number, column, f"Enter the {noun}: one of {allowed}.")
    return RowError(number, column, f"Unknown {noun} '{value}': use one of {allowed}.")


def _check_library_row(number: int, row: dict, organisations: dict) -> list[RowError]:
    """Errors of one library row; the row's choices become their stored values, `organisation`
    the organisation (or None for the tenant's own metric)."""
    errors = _required(number, row, LIBRARY_MESSAGES) + _lengths(number, row, LIBRARY_COLUMNS)
    for column, choices in (("unit", Unit), ("direction", Direction), ("aggregation", Aggregation)):
        stored = choice(row[column], choices.choices) if row[column] else None
        if stored is None:
            errors.append(_choice_error(number, column, row[column], column, choices.values))
        row[column] = stored
    feed = choice(row["feed"], MetricFeed.choices) if row["feed"] else MetricFeed.ENTERED
    if feed is None:
        errors.append(_choice_error(number, "feed", row["feed"], "feed", MetricFeed.values))
    row["feed"] = feed
    name = row["organisation"]
    matches = {match.pk: match for match in organisations.get(name.casefold(), [])}
    if name and not matches:
        errors.append(
            RowError(number, "organisation", f"No organisation called {name} takes part here.")
        )
    elif len(matches) > 1:
        errors.append(
            RowError(
                number,
                "organisation",
                f"More than one organisation is called {name}: give its ODS code instead.",
            )
        )
    row["organisation"] = next(iter(matches.values())) if name and matches else None
    row["code"] = row["code"].upper()
    return errors


def check_library(frame: pd.DataFrame, organisations: dict) -> tuple[list[dict], list[RowError]]:
    """The library's rows (checked and normalised) and every error, by row then column.
    `organisations` maps folded names and ODS codes to the programme's organisations."""
    errors: list[RowError] = []
    rows: list[dict] = []
    first_row_of: dict[str, int] = {}
    for number, row in _records(frame):
        errors += _check_library_row(number, row, organisations)
        code = row["code"]
        if code in first_row_of:
            errors.append(
                RowError(
                    number,
                    "code",
                    f"{code} is also on row {first_row_of[code]}: give each metric one row.",
                )
            )
        elif code:
            first_row_of[code] = number
        rows.append(row)
    return rows, _sorted(errors)


def check_crosswalks(frame: pd.DataFrame, metrics: dict) -> tuple[list[dict], list[RowError]]:
    """The crosswalk rows (each with its `metric`, the scheme's stored value) and every error.
    `metrics` maps upper-case codes to the version's metrics."""
    errors: list[RowError] = []
    rows: list[dict] = []
    first_row_of: dict[tuple, int] = {}
    for number, row in _records(frame):
        errors += _required(number, row, CROSSWALK_MESSAGES)
        errors += _lengths(number, row, CROSSWALK_COLUMNS)
        code = row["metric_code"].upper()
        row["metric"] = metrics.get(code)
        if code and row["metric"] is None:
            errors.append(
                RowError(number, "metric_code", f"There is no metric {code} in this version.")
            )
        scheme = choice(row["scheme"], CrosswalkScheme.choices) if row["scheme"] else None
        if scheme is None:
            errors.append(
                _choice_error(number, "scheme", row["scheme"], "scheme", CrosswalkScheme.values)
            )
        row["scheme"] = scheme
        key = (code, scheme, row["item_code"].casefold())
        if key in first_row_of:
            errors.append(
                RowError(number, "item_code", f"The same mapping is on row {first_row_of[key]}.")
            )
        elif all(key):
            first_row_of[key] = number
        rows.append(row)
    return rows, _sorted(errors)


def _sorted(errors: list[RowError]) -> list[RowError]:
    order = {column: i for i, column in enumerate(LIBRARY_COLUMNS + CROSSWALK_COLUMNS)}
    return sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, 99)))
