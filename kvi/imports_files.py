"""Measurement import files: reading a CSV or XLSX into rows, and the template to fill in.
`read_grid` (the cells of any uploaded CSV or XLSX) is shared with other importers.

Files are read with pandas, every cell as text (nothing turns into NaN: "NA" stays "NA" and is
reported as not a number): CSV with the pyarrow engine, falling back to pandas' C parser when
pyarrow cannot read the file; XLSX with the calamine engine, from the sheet named
"Measurements" or else the first sheet. Headers match whatever their case and spacing
("KVI Code" is kvi_code). Blank rows are kept as empty records, so the row numbers in errors are
the spreadsheet's (the header is row 1).

The template lists the organisation's KVIs whose figures are entered (not those worked out from
spend ledgers or workforce returns), one row each for the latest complete period, figures left
blank. Filled in, it imports as it is.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from kvi.imports import MEASUREMENT_COLUMNS, RowError
from kvi.imports_values import figure_kind
from kvi.models import Kvi
from kvi.periods import period_start
from uploads.checks import FileType, sniff

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = [FileType.CSV, FileType.XLSX]
REQUIRED_COLUMNS = ("kvi_code", "period")
SHEET_NAME = "Measurements"
ENCODINGS = ("utf-8-sig", "cp1252")  # UTF-8 (with or without BOM), else Excel's Windows-1252
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PERIODS_START = {
    "monthly": "the 1st of each month",
    "quarterly": "1 April, 1 July, 1 October or 1 January",
    "annual": "1 April (NHS financial years run April to March)",
}


@dataclass(frozen=True)
class MeasurementFile:
    """A file read into records (row 2 onwards; blank rows as {}), or why it cannot be."""

    records: list[dict]
    errors: list[RowError]

    @property
    def total_rows(self) -> int:
        return sum(1 for record in self.records if any(record.values()))


# --- Reading ----------------------------------------------------------------------------------


def _column_name(name) -> str:
    """ " KVI Code " -> "kvi_code"."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(text: str) -> str:
    text = text.strip()
    # A cell written "'=..." by an export that neutralised formulas is read back as it was.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _csv_grid(data: bytes) -> list[list[str]]:
    """Every row of a CSV as text cells. ValueError (with a message) if it is not one."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("The file is not readable text.")
    source = text.encode("utf-8")
    options = {"header": None, "dtype": str, "keep_default_na": False, "skip_blank_lines": False}
    try:
        frame = pd.read_csv(io.BytesIO(source), engine="pyarrow", **options)
    except Exception:  # noqa: BLE001 - pyarrow refuses some files the C parser reads or explains
        try:
            frame = pd.read_csv(io.BytesIO(source), engine="c", index_col=False, **options)
        except pd.errors.EmptyDataError:
            return []
        except pd.errors.ParserError as error:
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
            if found:
                expected, line, saw = found.groups()
                raise ValueError(
                    f"Row {line} has {saw} cells but the heading row has {expected}: check for a "
                    "comma inside a value that is not in quotes."
                ) from error
            raise ValueError(f"The file is not a valid CSV: {error}") from error
    return [[_cell(str(cell)) for cell in row] for row in frame.fillna("").itertuples(index=False)]


def _xlsx_grid(handle: IO[bytes], sheet_name: str = SHEET_NAME) -> list[list[str]]:
    try:
        workbook = pd.ExcelFile(handle, engine="calamine")
        names = workbook.sheet_names
        wanted = sheet_name.strip().lower()
        sheet = next((n for n in names if str(n).strip().lower() == wanted), names[0])
        frame = pd.read_excel(
            workbook, sheet_name=sheet, header=None, dtype=str, keep_default_na=False
        )
    except Exception as error:  # noqa: BLE001 - calamine raises its own error types
        raise ValueError(f"The workbook cannot be read: {error}") from error
    return [[_cell(str(cell)) for cell in row] for row in frame.fillna("").itertuples(index=False)]


def _header_errors(headers: list[str], grid: list[list[str]]) -> tuple[dict[int, str], list]:
    """Which column index holds which field, or the problems with the heading row."""
    errors: list[RowError] = []
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = _column_name(header)
        letter = _letter(index)
        if not name:
            filled = next((n for n, row in enumerate(grid[1:], 2) if row[index].strip()), None)
            if filled is not None:
                errors.append(
                    RowError(1, "", f"Column {letter} has no heading but row {filled} uses it.")
                )
            continue
        if name not in MEASUREMENT_COLUMNS:
            hint = (
                " The file seems to use semicolons: save it comma-separated." if ";" in name else ""
            )
            errors.append(
                RowError(
                    1,
                    "",
                    f'Column {letter} is headed "{header.strip()}", which is not a column of a '
                    f"measurement import (they are {', '.join(MEASUREMENT_COLUMNS)}).{hint}",
                )
            )
        elif name in seen:
            errors.append(
                RowError(1, name, f"Columns {seen[name]} and {letter} are both headed {name}.")
            )
        else:
            seen[name] = letter
            columns[index] = name
    present = set(columns.values())
    for name in REQUIRED_COLUMNS:
        if name not in present:
            errors.append(RowError(1, name, f"The file has no {name} column."))
    if not present & {"value", "numerator", "denominator"}:
        errors.append(
            RowError(
                1, "value", "The file needs a value column, or numerator and denominator columns."
            )
        )
    for one, other in (("numerator", "denominator"), ("denominator", "numerator")):
        if one in present and other not in present:
            errors.append(RowError(1, other, f"The file has a {one} column but no {other} column."))
    return columns, errors


def read_grid(handle: IO[bytes], *, sheet: str = SHEET_NAME) -> list[list[str]]:
    """Every row of an uploaded CSV or XLSX (judged from its content, whatever its name) as
    text cells, padded to the same width; blank rows kept, so index + 1 is the spreadsheet's
    row number. From a workbook, the sheet named `sheet` (any case) or else the first one. An
    empty file gives []. ValueError, with a message for the uploader, if the file is neither
    or cannot be read."""
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    try:
        file_type = sniff(handle, head)
    except ValidationError as error:  # a zip container that cannot be read
        raise ValueError(" ".join(error.messages)) from error
    if file_type == FileType.XLSX:
        grid = _xlsx_grid(handle, sheet)
    elif file_type == FileType.CSV:
        grid = _csv_grid(handle.read())
    else:
        raise ValueError("The file is not a CSV or an Excel workbook (XLSX).")
    width = max((len(row) for row in grid), default=0)
    return [row + [""] * (width - len(row)) for row in grid]


def read_measurement_file(handle: IO[bytes]) -> MeasurementFile:
    """The rows of an uploaded CSV or XLSX (judged from its content) as records, or the
    problems with the file as a whole (row 0) or its heading row (row 1)."""
    try:
        grid = read_grid(handle)
    except ValueError as error:
        return MeasurementFile([], [RowError(0, "", str(error))])
    if not grid or not any(cell.strip() for cell in grid[0]):
        return MeasurementFile(
            [], [RowError(1, "", "The first row must name the columns; it is empty.")]
        )
    columns, errors = _header_errors(grid[0], grid)
    if errors:
        return MeasurementFile([], errors)
    records = []
    for row in grid[1:]:
        record = {name: row[index] for index, name in columns.items()}
        records.append(record if any(record.values()) else {})
    if not any(records):
        return MeasurementFile([], [RowError(2, "", "There are no figures below the heading row.")])
    return MeasurementFile(records, [])


# --- The template -----------------------------------------------------------------------------


def template_kvis(*, tenant, organisation) -> list[Kvi]:
    """The organisation's KVIs whose figures are entered or imported, metric joined."""
    return list(
        Kvi.objects.filter(tenant=tenant, organisation=organisation, metric__feed="")
        .select_related("metric")
        .order_by("code")
    )


def latest_complete_period(frequency: str, today: date | None = None) -> date:
    """The start of the last whole period before the one containing today."""
    today = today or timezone.localdate()
    return period_start(period_start(today, frequency) - timedelta(days=1), frequency)


def safe_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def template_rows(kvis: list[Kvi], today: date | None = None) -> list[dict]:
    return [
        {
            "kvi_code": safe_text(kvi.code),
            "period": latest_complete_period(kvi.frequency, today),
            "value": "",
            "numerator": "",
            "denominator": "",
            "note": "",
            "source": "",
        }
        for kvi in kvis
    ]


def template_csv(kvis: list[Kvi], today: date | None = None) -> bytes:
    """The template as CSV (UTF-8 with a byte-order mark, so Excel reads it right)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MEASUREMENT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in template_rows(kvis, today):
        writer.writerow({**row, "period": row["period"].isoformat()})
    return out.getvalue().encode("utf-8-sig")


GUIDANCE = [
    "How to fill in this template",
    "",
    "Enter one row per KVI and period on the Measurements sheet; delete rows you have no figure "
    "for, and add rows for other periods.",
    "period: the first day of the period the figure is for (see the KVIs sheet).",
    'A KVI that takes a "value": fill in value and leave numerator and denominator empty.',
    'A KVI that takes a "numerator and denominator": fill in both (the denominator cannot be 0) '
    "and leave value empty.",
    "note and source are optional. Numbers only in the figure columns: no % or £ signs.",
    "A figure already submitted or validated is not changed by an import: correct it on the "
    "KVI's page, giving a reason.",
]


def template_xlsx(kvis: list[Kvi], today: date | None = None) -> bytes:
    """The template as an Excel workbook: the Measurements sheet to fill in, a KVIs sheet saying
    what each KVI takes and when its periods start, and a Guidance sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(MEASUREMENT_COLUMNS)
    for row in template_rows(kvis, today):
        sheet.append([row[name] for name in MEASUREMENT_COLUMNS])
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFG", (16, 12, 12, 12, 12, 40, 30), strict=True):
        sheet.column_dimensions[column].width = width
    reference = workbook.create_sheet("KVIs")
    reference.append(["kvi_code", "title", "frequency", "enter", "unit", "periods start on"])
    for kvi in kvis:
        reference.append(
            [
                safe_text(kvi.code),
                safe_text(kvi.title),
                kvi.frequency,
                figure_kind(kvi),
                kvi.metric.unit,
                PERIODS_START.get(kvi.frequency, ""),
            ]
        )
    for column, width in zip("ABCDEF", (16, 50, 12, 26, 10, 45), strict=True):
        reference.column_dimensions[column].width = width
    guidance = workbook.create_sheet("Guidance")
    for line in GUIDANCE:
        guidance.append([line])
    guidance["A1"].font = Font(bold=True)
    guidance.column_dimensions["A"].width = 110
    for header in (sheet, reference):
        for cell in header[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
