"""CSV and XLSX of a charter's register and pledges, safe to open in a spreadsheet.

Rows are built inside the request's transaction (the tenant is set there) and the whole file is
returned at once, never streamed. Every cell goes through `api.renderers.neutralise`, so a value
that would start a formula (`= + - @`, tab, carriage return) is stored as text.
"""

import csv
import io
import re

from django.http import HttpResponse
from openpyxl import Workbook

from api.renderers import neutralise, xlsx_text
from charters import selectors
from organisations.models import OrganisationType, Sector, SizeBand

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register_rows(*, tenant, charter) -> list[dict]:
    """The public register's columns, one row per organisation on the register (one query)."""
    type_labels = dict(OrganisationType.choices)
    sector_labels = dict(Sector.choices)
    size_labels = dict(SizeBand.choices)
    rows = []
    for signatory in selectors.register(tenant=tenant, charter=charter):
        organisation = signatory.organisation
        rows.append(
            {
                "Organisation": organisation.name,
                "Type": type_labels.get(organisation.organisation_type, ""),
                "Sector": sector_labels.get(organisation.sector, ""),
                "Size": size_labels.get(organisation.size_band, ""),
                "Postcode district": organisation.postcode_district,
                "ODS code": organisation.ods_code,
                "Org-id identifiers": "; ".join(organisation.org_ids),
                "Tier": signatory.tier.name if signatory.tier else "",
                "Version": signatory.version.number,
                "Signed on": signatory.signed_on.isoformat(),
                "Approved on": signatory.approved_on.isoformat() if signatory.approved_on else "",
                "Signers": "; ".join(f"{s['name']} ({s['role']})" for s in signatory.signers),
            }
        )
    return rows


def pledge_rows(*, tenant, charter) -> list[dict]:
    """The pledges of organisations on the register (one query)."""
    return [
        {
            "Organisation": pledge.signatory.organisation.name,
            "Principle or theme": pledge.heading,
            "Pledge": pledge.text,
            "Target": pledge.target,
            "Version": pledge.version.number,
        }
        for pledge in selectors.pledge_list(tenant=tenant, charter=charter)
    ]


def _columns(rows: list[dict]) -> list[str]:
    return list(rows[0]) if rows else []


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _with_extension(filename: str, extension: str) -> str:
    return filename if filename.endswith(f".{extension}") else f"{filename}.{extension}"


def to_csv_response(rows: list[dict], filename: str) -> HttpResponse:
    """The rows as a CSV download (header from the first row's keys). `filename` gets `.csv`
    when it has no extension."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = _columns(rows)
    if columns:
        writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, _with_extension(filename, "csv"))


def to_xlsx_response(rows: list[dict], filename: str) -> HttpResponse:
    """The rows as an XLSX download (one sheet, built write-only), every cell text. `filename`
    gets `.xlsx` when it has no extension."""
    filename = _with_extension(filename, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(filename))
    columns = _columns(rows)
    if columns:
        sheet.append([_cell(column) for column in columns])
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, filename)


def _cell(value) -> str:
    return xlsx_text(value)


def _sheet_title(filename: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    title = re.sub(r"[\[\]:*?/\\]", " ", filename.rsplit(".", 1)[0]).strip()
    return title[:31] or "Sheet"
