"""CSV and XLSX of a charter's register and pledges: columns, neutralised formulas, fixed
queries."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from charters.exports import pledge_rows, register_rows, to_csv_response, to_xlsx_response
from charters.services import PledgeInput
from organisations.models import Organisation
from tenancy.context import tenant_context
from tests import factories
from tests.test_charter_api import _sign

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture
def charter_a(cast_a):
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(
        name="Alder Health Charity",
        companies_house_number="01234567",
        charity_number="1098765",
        organisation_type="vcse",
        size_band="small",
        registered_postcode="CH41 7ED",
    )
    Organisation.objects.filter(pk=cast_a.other_organisation.pk).update(name="Birch Builders")
    cast_a.organisation.refresh_from_db()
    charter = factories.published_charter(cast_a, principles=("Buy local", "Pay fairly"))
    _sign(cast_a, charter, cast_a.organisation, signed_on=date(2025, 3, 14))
    # Waiting for approval: on neither export.
    _sign(cast_a, charter, cast_a.other_organisation, approve=False)
    return charter


def _rows(cast, charter):
    with tenant_context(cast.tenant.id):
        return register_rows(tenant=cast.tenant, charter=charter), pledge_rows(
            tenant=cast.tenant, charter=charter
        )


def test_register_and_pledge_rows(cast_a, charter_a):
    register, pledges = _rows(cast_a, charter_a)
    with tenant_context(cast_a.tenant.id):
        approved_on = charter_a.signatories.get(organisation=cast_a.organisation).approved_on
    assert register == [
        {
            "Organisation": "Alder Health Charity",
            "Type": "Voluntary, community or social enterprise",
            "Sector": "Voluntary and community",
            "Size": "Small (10 to 49 staff)",
            "Postcode district": "CH41",
            "ODS code": "",
            "Org-id identifiers": "GB-COH-01234567; GB-CHC-1098765",
            "Tier": "Signatory",
            "Version": 1,
            "Signed on": "2025-03-14",
            "Approved on": approved_on.isoformat(),
            "Signers": "Ann Chair (Chair); Bo Chief (Chief Executive)",
        }
    ]
    assert pledges == [
        {
            "Organisation": "Alder Health Charity",
            "Principle or theme": "Buy local",
            "Pledge": "Buy from local firms first",
            "Target": "",
            "Version": 1,
        },
        {
            "Organisation": "Alder Health Charity",
            "Principle or theme": "Employment and volunteering",
            "Pledge": "Offer 20 work placements a year",
            "Target": "20 placements in 2026/27",
            "Version": 1,
        },
    ]


def test_csv_and_xlsx_downloads_neutralise_formulas(cast_a, charter_a):
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(name=FORMULA)
    with tenant_context(cast_a.tenant.id):
        charter_a.signatories.get(organisation=cast_a.organisation).pledges.filter(
            position=1
        ).update(text="+44 123 sum", target="@SUM(A1:A9)")
    register, pledges = _rows(cast_a, charter_a)

    response = to_csv_response(register, "register")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="register.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["Organisation"] == "'" + FORMULA
    assert row["Org-id identifiers"] == "GB-COH-01234567; GB-CHC-1098765"

    response = to_xlsx_response(register, "register")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="register.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, values = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [cell.value for cell in header] == list(register[0])
    organisation = values[0]
    assert organisation.value == "'" + FORMULA
    assert organisation.data_type == "s"  # text, not a formula
    assert all(cell.data_type == "s" for cell in values if cell.value is not None)

    pledge_sheet = load_workbook(io.BytesIO(to_xlsx_response(pledges, "pledges.xlsx").content))
    first_pledge = [cell.value for cell in list(pledge_sheet.active.iter_rows())[1]]
    assert first_pledge == [
        "'" + FORMULA,
        "Buy local",
        "'+44 123 sum",
        "'@SUM(A1:A9)",
        "1",
    ]
    pledge_csv = to_csv_response(pledges, "pledges.csv")
    assert pledge_csv["Content-Disposition"] == 'attachment; filename="pledges.csv"'
    first = next(csv.DictReader(io.StringIO(pledge_csv.content.decode())))
    assert (first["Pledge"], first["Target"]) == ("'+44 123 sum", "'@SUM(A1:A9)")


def test_characters_a_spreadsheet_cannot_hold_are_dropped_before_neutralising(cast_a, charter_a):
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(name="\x01=1+1")
    register, _ = _rows(cast_a, charter_a)
    sheet = load_workbook(io.BytesIO(to_xlsx_response(register, "register").content)).active
    assert list(sheet.iter_rows(values_only=True))[1][0] == "'=1+1"


def test_exports_run_a_fixed_number_of_queries(cast_a, charter_a):
    def add_signatories(n):
        for _ in range(n):
            with tenant_context(cast_a.tenant.id):
                organisation = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
            _sign(
                cast_a,
                charter_a,
                organisation,
                pledges=[
                    PledgeInput(text="Pledge one", principle_code="buy-local"),
                    PledgeInput(text="Pledge two", theme_code="economic", target="10%"),
                ],
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            register, pledges = _rows(cast_a, charter_a)
            to_csv_response(register, "register")
            to_xlsx_response(pledges, "pledges")
        return len(captured), len(register), len(pledges)

    add_signatories(4)
    small, small_register, small_pledges = queries()
    add_signatories(45)
    large, large_register, large_pledges = queries()
    assert (small_register, large_register) == (5, 50)
    assert (small_pledges, large_pledges) == (10, 100)
    assert small == large
