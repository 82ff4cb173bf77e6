"""A member's return figures imported from a file (issue 7: "figures per metric (entered,
imported, or taken from KVIs ...)"): CSV and XLSX, every problem named by its spreadsheet row
and nothing saved when there is one, safe to repeat, the same refusals as the form (a closed
round, someone who is not the member's organisation admin, another tenant), the template that
imports as it is, and the form on the return page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from anchors import services
from anchors.models import FigureSource, MemberReturn, ReturnStatus
from kvi.imports_files import read_grid
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    return_of,
)

pytestmark = pytest.mark.django_db
D = Decimal
WRONG_UNIT = "Row 3: Spend with local suppliers (£) is reported in £, not %: enter the figure in £."
CLOSED = (
    "The 2023/24 H1 round has closed: returns can no longer be sent or changed. Ask the "
    "programme team if you need to report."
)
GOOD_ROWS = [
    ["ANC-LOCAL-SPEND", "1,250,000", "£", "From the ledger"],
    ["Apprenticeships started", "21", "", ""],
    ["ANC-LOCAL-SPEND-PCT", "13.09", "%", ""],
]
GOOD_FIGURES = {
    "ANC-LOCAL-SPEND": D("1250000"),
    "ANC-APPRENTICESHIPS": D("21"),
    "ANC-LOCAL-SPEND-PCT": D("13.09"),
}


def csv_file(rows, *, header=("metric", "value", "unit", "note"), name="figures.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, *, header=("metric", "value", "unit", "note"), name="figures.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def text_of(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&amp;", "&")


@pytest.fixture
def charter_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return anchor_charter(cast_a)


@pytest.fixture
def member_a(cast_a, charter_a):
    with tenant_context(cast_a.tenant.id):
        return member(cast_a, charter_a, cast_a.organisation)


@pytest.fixture
def round_a(cast_a, charter_a, member_a):
    with tenant_context(cast_a.tenant.id):
        return open_round(cast_a, charter_a)


@pytest.fixture
def return_a(cast_a, round_a, member_a):
    with tenant_context(cast_a.tenant.id):
        return return_of(round_a, member_a.signatory)


def figures(cast, member_return) -> dict:
    with tenant_context(cast.tenant.id):
        return dict(member_return.figures.values_list("pillar_metric__metric__code", "value"))


def do_import(cast, user, member_return, uploaded_file):
    with tenant_context(cast.tenant.id):
        member_return = MemberReturn.objects.get(pk=member_return.pk)
        return services.return_figures_import(
            **as_user(cast, user), member_return=member_return, uploaded_file=uploaded_file
        )


def refused(cast, user, member_return, uploaded_file) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        do_import(cast, user, member_return, uploaded_file)
    return caught.value.messages


def enter(cast, user, member_return, values: dict[str, str]) -> None:
    """Figures typed in the form (source "entered"), in each metric's unit."""
    with tenant_context(cast.tenant.id):
        units = {
            pm.metric.code: pm.unit
            for pm in member_return.round.charter.anchor_metrics.select_related("metric")
        }
        services.return_save(
            **as_user(cast, user),
            member_return=MemberReturn.objects.get(pk=member_return.pk),
            figures=[services.FigureInput(code, v, units[code]) for code, v in values.items()],
        )


# --- The reader -------------------------------------------------------------------------------


def test_read_grid_reads_csv_and_xlsx_and_refuses_other_files():
    rows = [["ANC-LOCAL-SPEND", "1000", "£", ""], ["", "", "", ""], ["A", "2"]]
    assert read_grid(csv_file(rows)) == [
        ["metric", "value", "unit", "note"],
        ["ANC-LOCAL-SPEND", "1000", "£", ""],
        ["", "", "", ""],
        ["A", "2", "", ""],
    ]
    grid = read_grid(xlsx_file([["ANC-LOCAL-SPEND", 1000, "£", "x"]]))
    assert grid[0] == ["metric", "value", "unit", "note"]
    assert grid[1][0] == "ANC-LOCAL-SPEND" and D(grid[1][1]) == D(1000)
    with pytest.raises(ValueError, match="not a CSV or an Excel workbook"):
        read_grid(io.BytesIO(b"%PDF-1.7\n%%EOF\n"))


# --- The service ------------------------------------------------------------------------------


def test_a_csv_imports_the_figures_and_is_audited(cast_a, return_a, member_a):
    outcome = do_import(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS))
    assert outcome.imported == ["ANC-LOCAL-SPEND", "ANC-APPRENTICESHIPS", "ANC-LOCAL-SPEND-PCT"]
    assert outcome.row_count == 3 and outcome.file_name == "figures.csv"
    assert figures(cast_a, return_a) == GOOD_FIGURES
    with tenant_context(cast_a.tenant.id):
        saved = {f.pillar_metric.metric.code: f for f in return_a.figures.all()}
        assert {f.source for f in saved.values()} == {FigureSource.IMPORTED}
        assert saved["ANC-LOCAL-SPEND"].note == "From the ledger"
        assert MemberReturn.objects.get(pk=return_a.pk).status == ReturnStatus.DRAFT
        event = AuditEvent.objects.get(verb="anchor_return.figures_imported")
        assert event.object_id == str(return_a.pk) and event.actor == member_a.admin
        assert event.changes["file_name"] == "figures.csv" and event.changes["rows"] == 3
        assert AuditEvent.objects.filter(verb="anchor_return.saved").count() == 1


def test_an_xlsx_imports_the_figures(cast_a, return_a, member_a):
    rows = [
        ["ANC-LOCAL-SPEND", 1250000, "GBP", "From the ledger"],
        ["apprenticeships started", 21, None, None],
        ["ANC-LOCAL-SPEND-PCT", 13.09, "percent", None],
    ]
    outcome = do_import(cast_a, member_a.admin, return_a, xlsx_file(rows))
    assert outcome.row_count == 3
    assert figures(cast_a, return_a) == GOOD_FIGURES


def test_wrong_rows_are_named_and_nothing_is_saved(cast_a, return_a, member_a):
    enter(cast_a, member_a.admin, return_a, {"ANC-APPRENTICESHIPS": "4"})
    rows = [
        ["ANC-APPRENTICESHIPS", "30", "", ""],  # row 2: fine on its own
        ["ANC-LOCAL-SPEND", "12", "%", ""],  # row 3: wrong unit
        ["ANC-XYZ", "5", "", ""],  # row 4: not a metric of the charter
        ["ANC-ESTATE-HOURS", "lots", "", ""],  # row 5: not a number
        ["ANC-APPRENTICESHIPS", "31", "", ""],  # row 6: given twice
        ["", "7", "", ""],  # row 7: no metric
        ["ANC-LOCAL-EMPLOYED", "-3", "", ""],  # row 8: negative
        ["ANC-REAL-LIVING-WAGE", "120", "", ""],  # row 9: over 100%
        ["ANC-SV-CONTRACTS", "£12", "%", ""],  # row 10: the value says £
        ["ANC-EMISSIONS-REDUCED", "40", "tonnes", ""],  # row 11: a unit we do not know
    ]
    messages = refused(cast_a, member_a.admin, return_a, csv_file(rows))
    assert messages == [
        WRONG_UNIT,
        "Row 4: ANC-XYZ is not one of this charter's metrics.",
        "Row 5: Community use of the estate (hours): enter a number.",
        "Row 6: ANC-APPRENTICESHIPS is already given in row 2: give each metric once.",
        "Row 7: say which metric the figure is for (its code, for example ANC-LOCAL-SPEND).",
        "Row 8: Local people employed cannot be negative.",
        "Row 9: Staff paid at least the Real Living Wage (%) is a percentage: enter 0 to 100.",
        "Row 10: Contracts with a social value weighting (%) is reported in %, not £: enter the "
        "figure in %.",
        "Row 11: Carbon emissions reduced (tCO2e) is reported in tCO2e, not tonnes: enter the "
        "figure in tCO2e.",
    ]
    # The figure entered before is unchanged, and nothing was audited as imported.
    assert figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(4)}
    with tenant_context(cast_a.tenant.id):
        assert return_a.figures.get().source == FigureSource.ENTERED
        assert not AuditEvent.objects.filter(verb="anchor_return.figures_imported").exists()


def test_blank_values_are_skipped_and_keep_the_figure_entered(cast_a, return_a, member_a):
    enter(cast_a, member_a.admin, return_a, {"ANC-APPRENTICESHIPS": "4", "ANC-LOCAL-SPEND": "9"})
    rows = [
        ["ANC-APPRENTICESHIPS", "", "", ""],
        ["", "", "", ""],
        ["ANC-LOCAL-SPEND", "£2,000", "", ""],
    ]
    outcome = do_import(cast_a, member_a.admin, return_a, csv_file(rows))
    assert (outcome.imported, outcome.skipped_rows) == (["ANC-LOCAL-SPEND"], [2])
    assert figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(4), "ANC-LOCAL-SPEND": D(2000)}
    # A file with no value at all is refused as empty.
    assert refused(cast_a, member_a.admin, return_a, csv_file([["ANC-LOCAL-SPEND", "", "", ""]]))[
        0
    ].startswith("The file has no figures to import")


def test_file_and_heading_problems_are_refused(cast_a, return_a, member_a):
    admin = member_a.admin
    no_value = csv_file([["ANC-LOCAL-SPEND", "1"]], header=("metric", "amount"))
    assert refused(cast_a, admin, return_a, no_value) == [
        'Row 1: the column headed "amount" is not one a figures import reads (they are metric, '
        "name, unit, value, note)."
    ]
    missing = csv_file([["ANC-LOCAL-SPEND"]], header=("metric",))
    assert refused(cast_a, admin, return_a, missing) == ["Row 1: the file has no value column."]
    pdf = SimpleUploadedFile("figures.csv", b"%PDF-1.7\n%%EOF\n")
    assert refused(cast_a, admin, return_a, pdf) == [
        "figures.csv is a PDF, judged from its content: upload a CSV or Excel workbook (XLSX)."
    ]
    assert refused(cast_a, admin, return_a, SimpleUploadedFile("empty.csv", b"")) == [
        "empty.csv is empty."
    ]
    assert figures(cast_a, return_a) == {}


def test_importing_the_same_file_again_leaves_the_same_figures(cast_a, return_a, member_a):
    do_import(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS))
    with tenant_context(cast_a.tenant.id):
        first = {f.pk: f.value for f in return_a.figures.all()}
    do_import(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS))
    with tenant_context(cast_a.tenant.id):
        assert {f.pk: f.value for f in return_a.figures.all()} == first
        assert AuditEvent.objects.filter(verb="anchor_return.figures_imported").count() == 2
    assert figures(cast_a, return_a) == GOOD_FIGURES


def test_a_file_without_notes_keeps_the_notes_already_given(cast_a, return_a, member_a):
    do_import(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS))
    # No note column at all, then a note column with an empty cell.
    do_import(
        cast_a,
        member_a.admin,
        return_a,
        csv_file([["ANC-LOCAL-SPEND", "1,300,000"]], header=("metric", "value")),
    )
    with tenant_context(cast_a.tenant.id):
        figure = return_a.figures.get(pillar_metric__metric__code="ANC-LOCAL-SPEND")
        assert (figure.value, figure.note) == (D("1300000"), "From the ledger")
    do_import(
        cast_a, member_a.admin, return_a, csv_file([["ANC-LOCAL-SPEND", "1,400,000", "£", ""]])
    )
    with tenant_context(cast_a.tenant.id):
        figure.refresh_from_db()
        assert (figure.value, figure.note) == (D("1400000"), "From the ledger")
        # A new figure from a file without notes has none.
        assert return_a.figures.get(pillar_metric__metric__code="ANC-APPRENTICESHIPS").note == ""


def test_a_closed_round_refuses_the_import(cast_a, round_a, return_a, member_a):
    enter(cast_a, member_a.admin, return_a, {"ANC-APPRENTICESHIPS": "3"})
    with tenant_context(cast_a.tenant.id):
        services.round_close(**as_user(cast_a, cast_a.tenant_admin), reporting_round=round_a)
    assert refused(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS)) == [CLOSED]
    assert figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(3)}


def test_a_sent_return_refuses_the_import(cast_a, return_a, member_a):
    enter(cast_a, member_a.admin, return_a, {"ANC-APPRENTICESHIPS": "3"})
    with tenant_context(cast_a.tenant.id):
        services.return_submit(
            **as_user(cast_a, member_a.admin),
            member_return=MemberReturn.objects.get(pk=return_a.pk),
        )
    assert refused(cast_a, member_a.admin, return_a, csv_file(GOOD_ROWS)) == [
        "This return is submitted: it can no longer be changed."
    ]
    assert figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(3)}


def test_only_the_members_organisation_admin_may_import(cast_a, charter_a, return_a):
    with tenant_context(cast_a.tenant.id):
        other = member(cast_a, charter_a, cast_a.other_organisation)
    for user in (other.admin, cast_a.organisation_member, cast_a.tenant_admin, cast_a.outsider):
        with pytest.raises(PermissionDenied):
            do_import(cast_a, user, return_a, csv_file(GOOD_ROWS))
    assert figures(cast_a, return_a) == {}


def test_another_tenants_return_is_refused(cast_a, cast_b, return_a):
    with tenant_context(cast_b.tenant.id), pytest.raises(PermissionDenied):
        services.return_figures_import(
            **as_user(cast_b, cast_b.organisation_admin),
            member_return=return_a,
            uploaded_file=csv_file(GOOD_ROWS),
        )
    assert figures(cast_a, return_a) == {}


# --- The pages --------------------------------------------------------------------------------


def test_the_template_downloads_and_imports_back(cast_a, return_a, member_a, login):
    client = login(member_a.admin)
    response = client.get(url(cast_a, "anchor_return_import_template", return_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="anchor-return-2023-24-h1-figures.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["metric", "name", "unit", "value", "note"]
    listed = {row[0]: row for row in rows[1:]}
    assert listed["ANC-LOCAL-SPEND"] == [
        "ANC-LOCAL-SPEND",
        "Spend with local suppliers (£)",
        "£",
        "",
        "",
    ]
    assert len(listed) == len(services.DEFAULT_METRICS) and all(row[3] == "" for row in rows[1:])
    # Filled in (some rows left blank) and uploaded back through the page.
    for row in rows[1:]:
        row[3] = {"ANC-LOCAL-SPEND": "1250000", "ANC-APPRENTICESHIPS": "21"}.get(row[0], "")
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    upload = SimpleUploadedFile("filled.csv", out.getvalue().encode("utf-8-sig"))
    done = client.post(url(cast_a, "anchor_return_import", return_a.pk), {"import-file": upload})
    assert done.status_code == 302
    page = text_of(client.get(done.url))
    assert "2 figures imported from filled.csv. Check them before you send the return." in page
    assert "had no value: those figures are as they were." in page
    assert figures(cast_a, return_a) == {
        "ANC-LOCAL-SPEND": D(1250000),
        "ANC-APPRENTICESHIPS": D(21),
    }


def test_the_template_neutralises_formulas(cast_a, return_a):
    with tenant_context(cast_a.tenant.id):
        metric = return_a.round.charter.anchor_metrics.select_related("metric").first().metric
        metric.name = "=HYPERLINK(1)"
        metric.save(update_fields=["name"])
        content = services.return_import_template(tenant=cast_a.tenant, member_return=return_a)
    assert b",'=HYPERLINK(1)," in content


def test_the_return_page_has_the_import_form(cast_a, return_a, member_a, login):
    client = login(member_a.admin)
    page = text_of(client.get(url(cast_a, "anchor_return", return_a.pk)))
    assert "Import figures from a file" in page
    assert url(cast_a, "anchor_return_import", return_a.pk) in page
    assert url(cast_a, "anchor_return_import_template", return_a.pk) in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="nhsuk-label" for="id_import-file">' in page
    assert 'class="nhsuk-file-upload__input"' in page
    # People of the organisation who are not its admin read the return without the form.
    staff = text_of(
        login(cast_a.organisation_member).get(url(cast_a, "anchor_return", return_a.pk))
    )
    assert "Import figures from a file" not in staff


def test_the_page_lists_the_problem_rows_in_an_error_summary(cast_a, return_a, member_a, login):
    enter(cast_a, member_a.admin, return_a, {"ANC-APPRENTICESHIPS": "4"})
    client = login(member_a.admin)
    rows = [
        ["ANC-APPRENTICESHIPS", "30", "", ""],
        ["ANC-LOCAL-SPEND", "12", "%", ""],
        ["ANC-XYZ", "5", "", ""],
    ]
    response = client.post(
        url(cast_a, "anchor_return_import", return_a.pk), {"import-file": csv_file(rows)}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: " in text and "There is a problem" in text
    assert f'<li><a href="#id_import-file">{WRONG_UNIT}</a></li>' in text
    assert (
        '<li><a href="#id_import-file">Row 4: ANC-XYZ is not one of this charter\'s metrics.</a>'
        in text
    )
    assert 'id="id_import-file-error"' in text and "nhsuk-form-group--error" in text
    assert figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(4)}
    # No file chosen.
    empty = text_of(client.post(url(cast_a, "anchor_return_import", return_a.pk), {}))
    assert '<a href="#id_import-file">Choose a file.</a>' in empty


def test_the_import_page_refuses_like_the_form(
    cast_a, cast_b, charter_a, round_a, return_a, member_a, login
):
    path = url(cast_a, "anchor_return_import", return_a.pk)
    with tenant_context(cast_a.tenant.id):
        other = member(cast_a, charter_a, cast_a.other_organisation)
    for user in (other.admin, cast_a.organisation_member):
        assert login(user).post(path, {"import-file": csv_file(GOOD_ROWS)}).status_code == 403
    # Another tenant's person, at their own programme's address: no such return there.
    outsider = login(cast_b.organisation_admin)
    assert (
        outsider.post(
            url(cast_b, "anchor_return_import", return_a.pk), {"import-file": csv_file(GOOD_ROWS)}
        ).status_code
        == 404
    )
    assert outsider.get(url(cast_b, "anchor_return", return_a.pk)).status_code == 404
    assert outsider.get(url(cast_b, "anchor_return_import_template", return_a.pk)).status_code == (
        404
    )
    assert figures(cast_a, return_a) == {}
    # A closed round: the page says why.
    with tenant_context(cast_a.tenant.id):
        services.round_close(**as_user(cast_a, cast_a.tenant_admin), reporting_round=round_a)
    client = login(member_a.admin)
    closed = client.post(path, {"import-file": csv_file(GOOD_ROWS)})
    assert closed.status_code == 200 and "There is a problem" in text_of(closed)
    assert CLOSED in text_of(closed)
    assert figures(cast_a, return_a) == {}
    assert client.get(path).status_code == 405


def test_an_unknown_return_is_not_found(cast_a, return_a, member_a, login):
    client = login(member_a.admin)
    unknown = "00000000-0000-4000-8000-000000000000"
    for name in (
        "anchor_return",
        "anchor_return_submit",
        "anchor_return_evidence_add",
        "anchor_return_import_template",
    ):
        assert client.get(url(cast_a, name, unknown)).status_code == 404, name
    for name in ("anchor_return_from_kvis", "anchor_return_import"):
        assert client.post(url(cast_a, name, unknown)).status_code == 404, name
