"""CSV and XLSX downloads of the tenant overview's tables (organisations, themes), safe to open
in a spreadsheet.

Built whole inside the request's transaction (the tenant is set there) and returned at once,
never streamed. Text cells go through api.renderers.neutralise, so a name that would start a
formula (= + - @, tab, carriage return) is stored as text; amounts stay numbers (in XLSX) or
plain decimals (in CSV), with money rounded to pence.
"""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from api.renderers import neutralise, xlsx_text
from kvi.overview import TenantOverview

TABLES = ("organisations", "themes")
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENNY = Decimal("0.01")


def _money(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def _quantity(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(Decimal("0.000001"))


ORGANISATION_COLUMNS = [
    "Organisation",
    "Taking part",
    "KVIs",
    "On track",
    "At risk",
    "Off track",
    "Not judged (no target or no figures yet)",
    "Figures awaiting validation",
    "Monetised value gross (£)",
    "Monetised value net (£)",
]
THEME_COLUMNS = [
    "Framework",
    "Theme",
    "Metric code",
    "Metric",
    "Unit",
    "KVIs",
    "KVIs with figures",
    "Total quantity",
    "Monetised value gross (£)",
    "Monetised value net (£)",
]


def organisation_rows(overview: TenantOverview) -> list[dict]:
    """One row per organisation, by name: its KVIs, their status and monetised value (of an
    overview read with every_organisation)."""
    if overview.organisations is None:
        raise ValueError("Read the overview with every_organisation=True to download them.")
    return [
        {
            "Organisation": row.name,
            "Taking part": "Yes" if row.taking_part else "No (has left)",
            "KVIs": row.tally.kvis,
            "On track": row.tally.on_track,
            "At risk": row.tally.at_risk,
            "Off track": row.tally.off_track,
            "Not judged (no target or no figures yet)": row.tally.not_judged,
            "Figures awaiting validation": row.tally.awaiting_validation,
            "Monetised value gross (£)": _money(row.tally.gross),
            "Monetised value net (£)": _money(row.tally.net),
        }
        for row in overview.organisations
    ]


def theme_rows(overview: TenantOverview) -> list[dict]:
    """One row per measure (metric) of each theme: units beside money; measures without a proxy
    have no £ (reported as counts)."""
    rows = []
    for theme in overview.themes:
        for measure in theme.measure_list:
            rows.append(
                {
                    "Framework": theme.framework_name,
                    "Theme": theme.name,
                    "Metric code": measure.code,
                    "Metric": measure.name,
                    "Unit": measure.unit,
                    "KVIs": measure.kvis,
                    "KVIs with figures": measure.reporting,
                    "Total quantity": _quantity(measure.quantity),
                    "Monetised value gross (£)": _money(measure.gross),
                    "Monetised value net (£)": _money(measure.net),
                }
            )
    return rows


def overview_download(
    overview: TenantOverview, *, table: str, file_format: str, tenant_slug: str
) -> HttpResponse:
    """The table ("organisations" or "themes") as a CSV or XLSX attachment."""
    if table == "organisations":
        columns, rows = ORGANISATION_COLUMNS, organisation_rows(overview)
    else:
        columns, rows = THEME_COLUMNS, theme_rows(overview)
    year = overview.financial_year.replace("/", "-")
    filename = f"{tenant_slug}-kvi-overview-{table}-{year}.{file_format}"
    content: str | bytes
    if file_format == "csv":
        content, content_type = _csv(columns, rows), "text/csv; charset=utf-8"
    else:
        content, content_type = _xlsx(columns, rows, title=f"{table} {year}"), XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _csv(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(row[column]) for column in columns])
    return buffer.getvalue()


def _csv_cell(value) -> str:
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(value)


def _xlsx(columns: list[str], rows: list[dict], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(column) for column in columns])
    for row in rows:
        sheet.append([_xlsx_cell(row[column]) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    if value is None or isinstance(value, int | Decimal):
        return value
    return xlsx_text(value)
