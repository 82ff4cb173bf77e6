"""The anchor dashboard as a CSV or XLSX download: every accepted figure with its benchmark
(rank, quartile, median, the sector peers' rank and median), then the collective totals and
monetised social value per round, disclosure applied (an anonymised member is its label).

Built whole inside the request's transaction and returned at once, never streamed. Text cells
go through api.renderers.neutralise (as kvi.overview_export does), so a name that
would start a formula is stored as text; numbers stay numbers in XLSX.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from anchors.dashboard_tables import aggregate_rows, figure_rows
from anchors.selectors.performance import Dashboard
from api.renderers import neutralise, xlsx_text

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FIGURE_COLUMNS = [
    "Round",
    "Period start",
    "Pillar",
    "Metric code",
    "Metric",
    "Unit",
    "Member",
    "Sector",
    "Value",
    "Rank",
    "Of",
    "Quartile",
    "Median",
    "Lower quartile",
    "Upper quartile",
    "Rank among sector peers",
    "Sector peers",
    "Sector median",
]
TOTAL_COLUMNS = [
    "Round",
    "Period start",
    "Pillar",
    "Metric code",
    "Metric",
    "Unit",
    "Members reporting",
    "Collective total",
    "Median",
    "Lower quartile",
    "Upper quartile",
]
VALUE_COLUMNS = ["Round", "Period start", "Monetised value gross (£)", "Monetised value net (£)"]


def figure_table(board: Dashboard) -> list[list]:
    return [
        [
            row["round"].name,
            row["round"].period_start,
            row["pillar"],
            row["pillar_metric"].metric.code,
            row["pillar_metric"].metric.name,
            row["pillar_metric"].unit,
            row["member"].name,
            row["member"].sector_label,
            row["value"],
            row["rank"],
            row["of"],
            row["quartile"],
            row["median"],
            row["lower_quartile"],
            row["upper_quartile"],
            row["sector_rank"],
            row["sector_of"],
            row["sector_median"],
        ]
        for row in figure_rows(board)
    ]


def total_table(board: Dashboard) -> list[list]:
    return [
        [
            row["round"].name,
            row["round"].period_start,
            row["pillar"],
            row["pillar_metric"].metric.code,
            row["pillar_metric"].metric.name,
            row["pillar_metric"].unit,
            row["members_reporting"],
            row["total"],
            row["median"],
            row["lower_quartile"],
            row["upper_quartile"],
        ]
        for row in aggregate_rows(board)
    ]


def value_table(board: Dashboard) -> list[list]:
    return [
        [v.reporting_round.name, v.reporting_round.period_start, v.gross, v.net]
        for v in board.value
    ]


def _normalise(value: Decimal) -> Decimal:
    """A figure without trailing zeros (figures are stored to six places)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(_normalise(value))
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def _xlsx_cell(value):
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return _normalise(value)
    if hasattr(value, "isoformat"):
        return value
    return xlsx_text(value)


def _tables(board: Dashboard) -> list[tuple[str, list[str], list[list]]]:
    return [
        ("Figures", FIGURE_COLUMNS, figure_table(board)),
        ("Collective totals", TOTAL_COLUMNS, total_table(board)),
        ("Monetised value", VALUE_COLUMNS, value_table(board)),
    ]


def dashboard_csv(board: Dashboard) -> str:
    """The figures table, a blank line, the totals, a blank line, the monetised value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (_title, columns, rows) in enumerate(_tables(board)):
        if index:
            writer.writerow([])
        writer.writerow([neutralise(column) for column in columns])
        for row in rows:
            writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue()


def dashboard_xlsx(board: Dashboard) -> bytes:
    """One sheet per table."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in _tables(board):
        sheet = workbook.create_sheet(title=title)
        sheet.append(columns)
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dashboard_download(board: Dashboard, *, file_format: str, tenant_slug: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}.")
    filename = f"{tenant_slug}-{board.charter.slug}-dashboard.{file_format}"
    content: str | bytes
    if file_format == "csv":
        content, content_type = dashboard_csv(board), "text/csv; charset=utf-8"
    else:
        content, content_type = dashboard_xlsx(board), XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
