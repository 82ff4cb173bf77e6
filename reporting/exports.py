"""A report's KVI table as an XLSX download: theme, KVI, the previous financial year's figure,
the year-to-date figure, target, status, SPC variation and assurance, one row per KVI, as the
PDF shows them (reporting.documents.kvi_table_rows over the report's inputs).

Built whole inside the request's transaction (the tenant is set there) and returned at once,
never streamed. Text cells go through api.renderers.neutralise (as anchors.exports and
kvi.overview_export do), so a name that would start a formula (= + - @, tab, carriage return)
is stored as text; plain numbers become numbers."""

import io
import re
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook

from api.renderers import ILLEGAL_XML_CHARACTERS, neutralise, xlsx_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PLAIN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")

# The columns in the order the PDF shows them (reporting.documents.kvi_table_rows), with their
# headings; "{year}" and "{previous}" are the financial years the rows carry. Any other key a
# row carries follows, headed by its name.
COLUMNS = {
    "theme": "Theme",
    "code": "KVI code",
    "kvi": "KVI",
    "baseline": "Baseline",
    "previous_year": "Previous financial year ({previous})",
    "year_to_date": "Year to date ({year})",
    "target": "Target",
    "status": "Status",
    "variation": "SPC variation",
    "assurance": "SPC assurance",
}
# Carried by every row for the headings, not columns of their own.
HEADING_KEYS = ("financial_year", "previous_financial_year")


def _heading(key: str, rows: list[dict]) -> str:
    first = rows[0] if rows else {}
    years = {
        "year": first.get("financial_year") or "this year",
        "previous": first.get("previous_financial_year") or "last year",
    }
    heading = COLUMNS.get(key)
    if heading is None:
        return key.replace("_", " ").capitalize()
    return heading.format(**years).replace(" (this year)", "").replace(" (last year)", "")


def columns_of(rows: list[dict]) -> list[str]:
    keys = list(COLUMNS)
    for row in rows:
        keys.extend(key for key in row if key not in keys and key not in HEADING_KEYS)
    return keys


def cell(value):
    """A spreadsheet cell: numbers stay numbers, plain numeric text becomes a number, other
    text is made safe."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("Yes" if value else "No")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        value = value.get("label") or value.get("text") or value.get("value") or ""
        return cell(value)
    if isinstance(value, list | tuple):
        return xlsx_text("; ".join(str(item) for item in value))
    text = ILLEGAL_XML_CHARACTERS.sub("", str(value)).strip()
    if _PLAIN_NUMBER.match(text):
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            pass
    return neutralise(text)


def kvi_table_xlsx(rows: list[dict], *, title: str = "KVIs") -> bytes:
    keys = columns_of(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "KVIs")
    sheet.append([neutralise(_heading(key, rows)) for key in keys])
    for row in rows:
        sheet.append([cell(row.get(key)) for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_kvi_rows(report) -> list[dict]:
    """The report's KVI table, from its inputs as they stand at its freeze date."""
    from reporting import content, documents

    return documents.kvi_table_rows(content.report_inputs(report))


def kvi_table_download(report, *, tenant_slug: str) -> HttpResponse:
    rows = report_kvi_rows(report)
    name = slugify(report.title) or "report"
    response = HttpResponse(kvi_table_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{tenant_slug}-{name}-kvis.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
