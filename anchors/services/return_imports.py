"""A return's figures imported from a file (CSV or XLSX), and the template to fill in.

The file has a heading row (row 1) and one row per metric:
- `metric`: the metric's code (ANC-LOCAL-SPEND) or its name, as the template lists them;
- `value`: the figure, a number in the metric's unit ("1250000", "1,250,000"; a leading "£" or
  a trailing "%" states a unit, which must be the metric's);
- `unit` (optional): when given, it must be the metric's unit ("GBP" and "pounds" are £,
  "percent" is %), so a figure in the wrong unit is refused rather than read wrongly;
- file limits: CSV or XLSX judged from content, MAX_IMPORT_BYTES, zip bombs refused
  (uploads.checks); from a workbook, the sheet named "Figures" or else the first;
- `note` (optional), and `name` (the template's reminder of the metric's name, not read).
Headings match whatever their case and spacing ("Metric Code" is metric_code, read as metric).

Rules (decided for issue 7):
- A row whose value is blank is skipped: the figure already in the return for that metric is
  left as it was, so a template filled in only in part never clears figures. Clear a figure on
  the return page. Wholly blank rows are ignored.
- All or nothing: every problem is reported with the spreadsheet's row number ("Row 4: ...")
  and, if there is any, nothing is saved.
- A metric may be given once per file; a second row for it is a problem.
- The figures are saved through anchors.services.returns.return_save (source "imported"), so
  the rules on who may change a return, and when, are the same as for the form; importing the
  same file again leaves the same figures.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from anchors.models import FigureSource, MemberReturn, PillarMetric
from anchors.services.common import own, require_member_admin
from anchors.services.returns import (
    FigureInput,
    _check_value,
    _pillar_metrics,
    require_editable,
    return_save,
)
from kvi.imports_files import read_grid, safe_text
from kvi.models import Unit
from tenancy.permissions import TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_file_field, human_size

IMPORT_TYPES = (FileType.CSV, FileType.XLSX)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
SHEET_NAME = "Figures"
TEMPLATE_COLUMNS = ("metric", "name", "unit", "value", "note")
COLUMN_ALIASES = {
    "metric": "metric",
    "metric_code": "metric",
    "code": "metric",
    "name": "name",
    "metric_name": "name",
    "value": "value",
    "figure": "value",
    "unit": "unit",
    "note": "note",
    "notes": "note",
}
UNIT_ALIASES = {
    **{unit.lower(): unit for unit in Unit.values},
    "gbp": Unit.POUNDS,
    "pounds": Unit.POUNDS,
    "pound": Unit.POUNDS,
    "percent": Unit.PERCENT,
    "per cent": Unit.PERCENT,
    "percentage": Unit.PERCENT,
    "hour": Unit.HOURS,
    "hrs": Unit.HOURS,
    "person": Unit.PEOPLE,
    "tco2": Unit.TCO2E,
    "tonnes co2e": Unit.TCO2E,
    "session": Unit.SESSIONS,
    "litre": Unit.LITRES,
}
MAX_NOTE = 2000


@dataclass(frozen=True)
class ImportOutcome:
    """What an import saved: the metric codes in file order, and the rows skipped (blank
    value: the figure, if any, left as it was)."""

    member_return: MemberReturn
    file_name: str
    imported: list[str] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.imported)


def import_hint() -> str:
    return (
        f"A CSV or Excel workbook (XLSX) of up to {human_size(MAX_IMPORT_BYTES)}, with the "
        "columns metric, value and, if you like, unit and note. Rows with no value are "
        "skipped: the figure already entered is kept."
    )


def _heading(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _unit(text: str) -> str:
    """The unit as the metric names it, or the text as given when it is no unit we know."""
    return UNIT_ALIASES.get(" ".join(text.strip().lower().split()), text.strip())


def _value_and_unit(value: str) -> tuple[str, str]:
    """A "£" before the number or a "%" after it says its unit: (the number, that unit or "")."""
    value = value.strip()
    if value.startswith("£"):
        return value[1:].strip(), Unit.POUNDS
    if value.endswith("%"):
        return value[:-1].strip(), Unit.PERCENT
    return value, ""


def _columns(headings: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds which field, or the problems with the heading row."""
    errors = []
    columns: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if not heading.strip():
            continue
        name = COLUMN_ALIASES.get(_heading(heading))
        if name is None:
            errors.append(
                f'Row 1: the column headed "{heading.strip()}" is not one a figures import '
                f"reads (they are {', '.join(TEMPLATE_COLUMNS)})."
            )
        elif name in columns:
            errors.append(f"Row 1: two columns are headed {name}: keep one.")
        else:
            columns[name] = index
    for name in ("metric", "value"):
        if name not in columns and not errors:
            errors.append(f"Row 1: the file has no {name} column.")
    return columns, errors


def _lookup(metrics: dict[str, PillarMetric]) -> dict[str, PillarMetric]:
    """The charter's metrics by code and by name, both in lower case."""
    found: dict[str, PillarMetric] = {}
    for pillar_metric in metrics.values():
        found.setdefault(pillar_metric.metric.name.strip().lower(), pillar_metric)
    for code, pillar_metric in metrics.items():
        found[code.strip().lower()] = pillar_metric
    return found


def _read_rows(grid: list[list[str]], metrics: dict[str, PillarMetric]):
    """(figures to save, rows skipped, problems "Row N: ...") from the file's cells."""
    if not grid or not any(cell.strip() for cell in grid[0]):
        return [], [], ["Row 1: the first row must name the columns (metric, value, unit, note)."]
    columns, errors = _columns(grid[0])
    if errors:
        return [], [], errors
    lookup = _lookup(metrics)
    figures: list[FigureInput] = []
    skipped: list[int] = []
    seen: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        return row[columns[name]].strip() if name in columns else ""

    for number, row in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        given, value = cell(row, "metric"), cell(row, "value")
        if not given:
            if value:
                errors.append(
                    f"Row {number}: say which metric the figure is for (its code, for example "
                    "ANC-LOCAL-SPEND)."
                )
            continue
        pillar_metric = lookup.get(given.lower())
        if pillar_metric is None:
            errors.append(f"Row {number}: {given} is not one of this charter's metrics.")
            continue
        code = pillar_metric.metric.code
        if code in seen:
            errors.append(
                f"Row {number}: {code} is already given in row {seen[code]}: give each metric once."
            )
            continue
        seen[code] = number
        if not value:
            skipped.append(number)
            continue
        note = cell(row, "note")
        if len(note) > MAX_NOTE:
            errors.append(f"Row {number}: keep the note to {MAX_NOTE} characters or fewer.")
            continue
        number_text, symbol_unit = _value_and_unit(value)
        column_unit = _unit(cell(row, "unit"))
        # Every unit the row states must be the metric's: the first that is not is refused.
        stated = [u for u in (column_unit, symbol_unit) if u]
        unit = next((u for u in stated if u != pillar_metric.unit), pillar_metric.unit)
        try:
            checked = _check_value(pillar_metric, number_text, unit)
        except ValidationError as error:
            errors.extend(f"Row {number}: {message}" for message in error.messages)
            continue
        # No note column or an empty cell keeps the figure's note as it is.
        figures.append(
            FigureInput(
                code, checked, pillar_metric.unit, note=note or None, source=FigureSource.IMPORTED
            )
        )
    if not errors and not figures:
        errors.append(
            "The file has no figures to import: fill in the value column for at least one metric."
        )
    return figures, skipped, errors


def return_figures_import(
    *, tenant, actor, access: TenantAccess, member_return: MemberReturn, uploaded_file
) -> ImportOutcome:
    """Import a return's figures from an uploaded CSV or XLSX. Refused (ValidationError, the
    file's problems under "file", each naming its row) with nothing saved if any row is
    wrong; refused like the form when the return cannot be changed."""
    own(tenant, member_return, "This return")
    require_member_admin(access, member_return.signatory)
    require_editable(member_return)
    checked = check_file_field(
        uploaded_file, allowed_types=IMPORT_TYPES, max_bytes=MAX_IMPORT_BYTES
    )
    try:
        grid = read_grid(uploaded_file, sheet=SHEET_NAME)
    except ValueError as error:
        raise ValidationError({"file": f"{checked.file_name}: {error}"}) from error
    metrics = _pillar_metrics(tenant, member_return)
    figures, skipped, errors = _read_rows(grid, metrics)
    if errors:
        raise ValidationError({"file": errors})
    with transaction.atomic():
        member_return = return_save(
            tenant=tenant,
            actor=actor,
            access=access,
            member_return=member_return,
            figures=figures,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_return.figures_imported",
            obj=member_return,
            changes={
                "file_name": checked.file_name,
                "sha256": checked.sha256,
                "rows": len(figures),
                "skipped_rows": skipped,
                "figures": {f.metric_code: str(f.value) for f in figures},
            },
        )
    return ImportOutcome(
        member_return=member_return,
        file_name=checked.file_name,
        imported=[f.metric_code for f in figures],
        skipped_rows=skipped,
    )


# --- The template -----------------------------------------------------------------------------


def return_import_template(*, tenant, member_return: MemberReturn) -> bytes:
    """The charter's metrics as a CSV to fill in (value blank), in the order the return page
    shows them: UTF-8 with a byte-order mark so Excel reads "£" right, text cells that a
    spreadsheet would run as formulas neutralised. Filled in, it imports as it is."""
    own(tenant, member_return, "This return")
    pillar_metrics = sorted(
        _pillar_metrics(tenant, member_return).values(), key=lambda pm: pm.position
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for pillar_metric in pillar_metrics:
        writer.writerow(
            [
                safe_text(pillar_metric.metric.code),
                safe_text(pillar_metric.metric.name),
                safe_text(pillar_metric.unit),
                "",
                "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def template_file_name(member_return: MemberReturn) -> str:
    """ "anchor-return-2023-24-h1-figures.csv" """
    round_name = slugify(member_return.round.name.replace("/", "-")) or "round"
    return f"anchor-return-{round_name}-figures.csv"
