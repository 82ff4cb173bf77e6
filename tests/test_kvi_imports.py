"""Bulk import of KVI measurements: checking rows (every error with its row and column), CSV and
XLSX files, the template, background jobs (idempotent, all or nothing), the pages, who is
refused, and tenant isolation."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kvi import imports_jobs, services
from kvi.imports import (
    MEASUREMENT_COLUMNS,
    RowError,
    measurement_rows_apply,
    measurement_rows_check,
)
from kvi.imports_files import read_measurement_file, template_csv, template_kvis
from kvi.models import ImportJob, ImportKind, ImportStatus, Measurement, MeasurementStatus
from kvi.services import KviInput
from kvi.tasks import check_measurement_import, run_measurement_import
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tenancy.permissions import tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
S = ImportStatus


def _access(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


class World:
    """A published framework and the cast organisation's KVIs: SPEND (a ratio, monthly),
    SESSIONS (a sum, monthly), CARBON (quarterly) and LOCAL (worked out from spend ledgers);
    the other organisation has OTHER."""

    def __init__(self, cast):
        self.cast = cast
        tenant, admin = cast.tenant, cast.tenant_admin
        access = _access(cast, admin)
        framework = services.framework_create(
            tenant=tenant, actor=admin, access=access, name="Social value framework"
        )
        theme = services.theme_save(
            tenant=tenant, actor=admin, access=access, framework=framework, name="Economic"
        )
        subtheme = services.subtheme_save(
            tenant=tenant, actor=admin, access=access, theme=theme, name="Procurement"
        )
        metrics = {}
        for code, unit, aggregation, feed in [
            ("LOCAL-SPEND", "%", "ratio", ""),
            ("SESSIONS", "sessions", "sum", ""),
            ("CARBON", "tCO2e", "sum", ""),
            ("LEDGER", "%", "ratio", "ledger_local_spend"),
        ]:
            metrics[code] = services.metric_save(
                tenant=tenant,
                actor=admin,
                access=access,
                subtheme=subtheme,
                code=code,
                name=code.title(),
                definition=f"The {code.lower()}",
                unit=unit,
                direction="increase",
                aggregation=aggregation,
                feed=feed,
            )
        services.framework_publish(tenant=tenant, actor=admin, access=access, framework=framework)
        self.kvis = {}
        for organisation, code, metric, frequency in [
            (cast.organisation, "SPEND", "LOCAL-SPEND", "monthly"),
            (cast.organisation, "SESSIONS", "SESSIONS", "monthly"),
            (cast.organisation, "CARBON", "CARBON", "quarterly"),
            (cast.organisation, "LOCAL", "LEDGER", "monthly"),
            (cast.other_organisation, "OTHER", "SESSIONS", "monthly"),
        ]:
            self.kvis[code] = services.kvi_create(
                tenant=tenant,
                actor=admin,
                access=access,
                organisation=organisation,
                data=KviInput(
                    code=code, title=f"{code} KVI", metric=metrics[metric], frequency=frequency
                ),
            )

    def access(self, who=None):
        return _access(self.cast, who or self.cast.organisation_member)

    def check(self, records, who=None, first_row=2):
        return measurement_rows_check(
            tenant=self.cast.tenant,
            access=self.access(who),
            organisation=self.cast.organisation,
            records=records,
            first_row=first_row,
        )


@pytest.fixture
def world(cast_a):
    with tenant_context(cast_a.tenant.id):
        yield World(cast_a)


GOOD_ROWS = [
    ["SPEND", "2022-04-01", "", "1309", "10000", "April ledger", "Finance"],
    ["SESSIONS", "2022-04-01", "12", "", "", "", ""],
    ["CARBON", "2022-07-01", "3.5", "", "", "", "Estates"],
]


def _csv(rows, header=MEASUREMENT_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows, header=MEASUREMENT_COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(world, content: bytes, name="figures.csv", who=None, capture=None) -> ImportJob:
    """Start an import as a service call; the check task runs (eagerly) after commit."""
    cast = world.cast
    who = who or cast.organisation_member
    with capture(execute=True):
        job = imports_jobs.measurement_import_start(
            tenant=cast.tenant,
            actor=who,
            access=_access(cast, who),
            organisation=cast.organisation,
            uploaded_file=SimpleUploadedFile(name, content),
        )
    job.refresh_from_db()
    return job


def _confirm(world, job, who=None, submit=True, capture=None) -> ImportJob:
    cast = world.cast
    who = who or cast.organisation_member
    with capture(execute=True):
        imports_jobs.measurement_import_confirm(
            tenant=cast.tenant, actor=who, access=_access(cast, who), job=job, submit=submit
        )
    job.refresh_from_db()
    return job


def _errors(job_or_errors):
    errors = job_or_errors.errors if isinstance(job_or_errors, ImportJob) else job_or_errors
    return [(e["row"], e["column"]) if isinstance(e, dict) else (e.row, e.column) for e in errors]


# --- The must-hold lines --------------------------------------------------------------------


def test_a_file_with_one_bad_row_imports_nothing_and_names_that_row(
    world, django_capture_on_commit_callbacks
):
    rows = [*GOOD_ROWS, ["SESSIONS", "2022-05-01", "twelve", "", "", "", ""]]
    job = _upload(world, _csv(rows), capture=django_capture_on_commit_callbacks)
    assert job.status == S.REFUSED
    assert job.errors == [
        {"row": 5, "column": "value", "message": "Enter a number; 'twelve' is not one."}
    ]
    assert job.total_rows == 4
    with pytest.raises(ValidationError, match="Only a checked file"):
        _confirm(world, job, capture=django_capture_on_commit_callbacks)
    assert Measurement.objects.count() == 0


def test_importing_a_good_file_twice_leaves_one_copy(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    first = _upload(world, _csv(GOOD_ROWS), capture=capture)
    assert first.status == S.CHECKED, first.errors
    assert first.summary == {"expected": {"created": 3, "changed": 0, "unchanged": 0}}
    assert [row["kvi_code"] for row in first.preview] == ["SPEND", "SESSIONS", "CARBON"]
    first = _confirm(world, first, capture=capture)
    assert first.status == S.IMPORTED
    assert first.summary == {"created": 3, "changed": 0, "unchanged": 0, "submitted": True}
    stored = {m.kvi.code: m for m in Measurement.objects.select_related("kvi")}
    assert (stored["SPEND"].numerator, stored["SPEND"].denominator) == (D("1309"), D("10000"))
    assert stored["SPEND"].value is None and stored["SPEND"].note == "April ledger"
    assert stored["SESSIONS"].value == D("12") and stored["CARBON"].period == date(2022, 7, 1)
    assert {m.status for m in stored.values()} == {MeasurementStatus.SUBMITTED}
    assert {m.entered_by for m in stored.values()} == {world.cast.organisation_member}

    second = _upload(world, _csv(GOOD_ROWS), capture=capture)
    assert second.summary == {"expected": {"created": 0, "changed": 0, "unchanged": 3}}
    second = _confirm(world, second, capture=capture)
    assert second.status == S.IMPORTED
    assert second.summary == {"created": 0, "changed": 0, "unchanged": 3, "submitted": True}
    assert Measurement.objects.count() == 3
    assert AuditEvent.objects.filter(verb="measurements.imported").count() == 2
    assert AuditEvent.objects.filter(verb="measurement.recorded").count() == 3
    assert AuditEvent.objects.filter(verb="measurement.submitted").count() == 3


# --- Each kind of error, with its row and column --------------------------------------------


def _record(code, period, value="", numerator="", denominator="", note="", source=""):
    values = [code, period, value, numerator, denominator, note, source]
    return dict(zip(MEASUREMENT_COLUMNS, values, strict=True))


def test_every_error_is_reported_with_its_row_and_column(world):
    records = [
        _record("NOPE", "2022-04-01", "1"),  # 2 unknown KVI code
        _record("OTHER", "2022-04-01", "1"),  # 3 another organisation's KVI
        _record("SESSIONS", "2022-04-15", "1"),  # 4 not the first day of a month
        _record("CARBON", "2022-05-01", "1"),  # 5 not the start of a quarter
        _record("SESSIONS", "2022-05-01", "12 sessions"),  # 6 text where a number belongs
        _record("SPEND", "2022-04-01", "", "5", "0"),  # 7 denominator zero
        _record("SPEND", "2022-05-01", "0.13", "5", "10"),  # 8 value and ratio mixed
        _record("SPEND", "2022-06-01", "0.13"),  # 9 a ratio KVI given a value
        _record("SESSIONS", "April 2022", "1"),  # 10 not a date
        _record("SESSIONS", "2022-06-01", "NA"),  # 11 "NA" stays text
        _record("", "2022-06-01", "1"),  # 12 no code
        _record("SESSIONS", "2022-07-01", "1.1234567"),  # 13 too many decimal places
        _record("LOCAL", "2022-04-01", "", "1", "2"),  # 14 worked out from spend ledgers
        _record("SESSIONS", "2022-08-01", "5"),  # 15 fine
        _record("sessions", "2022-08-01", "5"),  # 16 the same KVI and period again
        _record("SPEND", "2022-07-01", "", "x", "0"),  # 17 two bad figures
        _record("SESSIONS", "31/02/2022", "1"),  # 18 no such day
    ]
    rows, errors = world.check(records)
    assert [row.row for row in rows] == [15]
    assert _errors(errors) == [
        (2, "kvi_code"),
        (3, "kvi_code"),
        (4, "period"),
        (5, "period"),
        (6, "value"),
        (7, "denominator"),
        (8, "value"),
        (9, "numerator"),
        (10, "period"),
        (11, "value"),
        (12, "kvi_code"),
        (13, "value"),
        (14, "kvi_code"),
        (16, "period"),
        (17, "numerator"),
        (18, "period"),
    ]
    messages = {(e.row, e.column): e.message for e in errors}
    assert messages[(2, "kvi_code")] == "This organisation has no KVI with the code NOPE."
    assert "2022-04-15 does not start a monthly period" in messages[(4, "period")]
    assert "(this one: 2022-04-01)" in messages[(5, "period")]
    assert messages[(6, "value")] == "Enter a number; '12 sessions' is not one."
    assert messages[(7, "denominator")] == "The denominator cannot be zero."
    assert "not both" in messages[(8, "value")]
    assert "numerator and denominator" in messages[(9, "numerator")]
    assert messages[(16, "period")].startswith("Row 15 already gives SESSIONS's figure")
    assert "more than 6 decimal places" in messages[(13, "value")]
    assert "spend ledger" in messages[(14, "kvi_code")].lower()
    assert messages[(18, "period")] == '"31/02/2022" is not a real date.'


def test_json_values_from_the_api_are_checked_the_same_way(world):
    rows, errors = world.check(
        [
            {"kvi_code": "sessions", "period": "2022-04-01", "value": 12.5},
            {"kvi_code": "SPEND", "period": date(2022, 4, 1), "numerator": 5, "denominator": 10},
            {"kvi_code": "SESSIONS", "period": "2022-05-01", "value": True},
            {"kvi_code": "SESSIONS", "period": "2022-06-01", "value": "1", "valeu": "2"},
        ],
        first_row=0,
    )
    assert [(row.row, row.value, row.numerator) for row in rows] == [
        (0, D("12.5"), None),
        (1, None, D("5")),
    ]
    assert _errors(errors) == [(2, "value"), (3, "")]
    assert '"valeu" is not a column' in errors[1].message


def test_a_submitted_figure_is_never_overwritten_by_an_import(world):
    cast = world.cast
    who = cast.organisation_member
    kwargs = dict(tenant=cast.tenant, actor=who, access=world.access())
    measurement = services.measurement_record(
        kvi=world.kvis["SESSIONS"], period=date(2022, 4, 1), value=D("12"), **kwargs
    )
    services.measurement_submit(measurement=measurement, **kwargs)
    rows, errors = world.check([_record("SESSIONS", "2022-04-01", "13")])
    assert rows == [] and _errors(errors) == [(2, "")]
    assert "already submitted as 12; this row gives 13" in errors[0].message
    # The same figure (written differently) is unchanged.
    rows, errors = world.check([_record("SESSIONS", "2022-04-01", "12.000")])
    assert errors == []
    summary = measurement_rows_apply(
        tenant=cast.tenant,
        actor=who,
        access=world.access(),
        organisation=cast.organisation,
        rows=rows,
    )
    assert summary == {"created": 0, "changed": 0, "unchanged": 1}
    measurement.refresh_from_db()
    assert measurement.value == D("12") and measurement.status == MeasurementStatus.SUBMITTED


def test_drafts_are_changed_and_kept_as_drafts_when_asked(world):
    cast = world.cast

    def apply(records, submit):
        rows, errors = world.check(records)
        assert errors == []
        return measurement_rows_apply(
            tenant=cast.tenant,
            actor=cast.organisation_member,
            access=world.access(),
            organisation=cast.organisation,
            rows=rows,
            submit=submit,
        )

    first = [_record("SESSIONS", "2022-04-01", "12"), _record("SESSIONS", "2022-05-01", "8")]
    assert apply(first, submit=False) == {"created": 2, "changed": 0, "unchanged": 0}
    assert set(Measurement.objects.values_list("status", flat=True)) == {"draft"}
    changed = [_record("SESSIONS", "2022-04-01", "14"), _record("SESSIONS", "2022-05-01", "8")]
    assert apply(changed, submit=True) == {"created": 0, "changed": 1, "unchanged": 1}
    april = Measurement.objects.get(period=date(2022, 4, 1))
    assert (april.value, april.status) == (D("14"), MeasurementStatus.SUBMITTED)
    event = AuditEvent.objects.get(verb="measurement.changed", object_id=str(april.pk))
    assert event.changes["value"] == ["12.000000", "14"]
    assert Measurement.objects.get(period=date(2022, 5, 1)).status == MeasurementStatus.DRAFT


def test_checking_and_applying_need_record_measurements_for_the_organisation(world):
    cast = world.cast
    for who in (cast.board_reporter, cast.tenant_admin, cast.assessor, cast.outsider):
        with pytest.raises(PermissionDenied):
            world.check([_record("SESSIONS", "2022-04-01", "1")], who=who)
    rows, _ = world.check([_record("SESSIONS", "2022-04-01", "1")])
    with pytest.raises(PermissionDenied):
        measurement_rows_apply(
            tenant=cast.tenant,
            actor=cast.board_reporter,
            access=world.access(cast.board_reporter),
            organisation=cast.organisation,
            rows=rows,
        )
    # Rows of this organisation cannot be applied as another organisation's.
    with pytest.raises(PermissionDenied):
        measurement_rows_apply(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=world.access(cast.organisation_admin),
            organisation=cast.other_organisation,
            rows=rows,
        )
    assert Measurement.objects.count() == 0


# --- Files ----------------------------------------------------------------------------------


def test_xlsx_with_date_cells_numbers_and_a_blank_row(world, django_capture_on_commit_callbacks):
    rows = [
        ["SPEND", date(2022, 4, 1), None, 1309, 10000, None, None],
        [None] * 7,  # row 3 blank: skipped, yet rows below keep their numbers
        ["SESSIONS", datetime(2022, 4, 1), 12, None, None, "NA", None],
        ["CARBON", "01/07/2022", 3.5, None, None, None, None],
        ["SESSIONS", date(2022, 5, 3), "lots", None, None, None, None],
    ]
    job = _upload(
        world, _xlsx(rows), name="figures.xlsx", capture=django_capture_on_commit_callbacks
    )
    assert job.status == S.REFUSED
    assert _errors(job) == [(6, "period"), (6, "value")]
    job = _upload(
        world, _xlsx(rows[:4]), name="figures.xlsx", capture=django_capture_on_commit_callbacks
    )
    assert job.status == S.CHECKED and job.total_rows == 3
    job = _confirm(world, job, capture=django_capture_on_commit_callbacks)
    assert job.summary["created"] == 3
    sessions = Measurement.objects.get(kvi=world.kvis["SESSIONS"])
    assert (sessions.value, sessions.note) == (D("12"), "NA")
    assert Measurement.objects.get(kvi=world.kvis["CARBON"]).value == D("3.5")


def test_csv_headers_match_loosely_and_row_numbers_count_blank_lines(world):
    content = (
        b"\xef\xbb\xbf KVI Code ,Period,VALUE,Numerator,Denominator\n"
        b"SESSIONS,2022-04-01,12,,\n"
        b"\n"
        b",,,,\n"
        b"SPEND,2022-04-01,,5,0\n"
    )
    read = read_measurement_file(io.BytesIO(content))
    assert read.errors == [] and read.total_rows == 2
    rows, errors = world.check(read.records)
    assert [row.row for row in rows] == [2]
    assert _errors(errors) == [(5, "denominator")]


def test_cp1252_csv_and_ragged_rows(world):
    content = "kvi_code,period,value,note\nSESSIONS,2022-04-01,12,Café\n".encode("cp1252")
    read = read_measurement_file(io.BytesIO(content))
    assert read.records == [
        {"kvi_code": "SESSIONS", "period": "2022-04-01", "value": "12", "note": "Café"}
    ]
    ragged = b"kvi_code,period,value\nSESSIONS,2022-04-01,12\nSESSIONS,2022-05-01,1,234\n"
    read = read_measurement_file(io.BytesIO(ragged))
    assert _errors(read.errors) == [(0, "")]
    assert "Row 3 has 4 cells but the heading row has 3" in read.errors[0].message


@pytest.mark.parametrize(
    "header, expected",
    [
        (["kvi_code", "period", "valeu"], [(1, ""), (1, "value")]),
        (["kvi_code", "value"], [(1, "period")]),
        (["kvi_code", "period", "value", "Value"], [(1, "value")]),
        (["kvi_code", "period", "numerator"], [(1, "denominator")]),
        (["kvi_code;period;value"], [(1, ""), (1, "kvi_code"), (1, "period"), (1, "value")]),
    ],
)
def test_unknown_and_missing_columns_refuse_the_file(header, expected):
    read = read_measurement_file(io.BytesIO(_csv([["SESSIONS"] * len(header)], header=header)))
    assert read.records == []
    assert _errors(read.errors) == expected
    if ";" in header[0]:
        assert "semicolons" in read.errors[0].message


def test_a_file_with_headings_only_is_refused():
    read = read_measurement_file(io.BytesIO(_csv([["", "", "", "", "", "", ""]])))
    assert [e.as_dict() for e in read.errors] == [
        {"row": 2, "column": "", "message": "There are no figures below the heading row."}
    ]


def test_an_upload_that_is_not_csv_or_xlsx_is_refused(world):
    cast = world.cast
    with pytest.raises(ValidationError) as error:
        imports_jobs.measurement_import_start(
            tenant=cast.tenant,
            actor=cast.organisation_member,
            access=world.access(),
            organisation=cast.organisation,
            uploaded_file=SimpleUploadedFile("figures.csv", b"%PDF-1.7 not a spreadsheet"),
        )
    assert "file" in error.value.message_dict
    assert ImportJob.objects.count() == 0


# --- The template ---------------------------------------------------------------------------


def test_the_template_round_trips_as_csv_and_xlsx(world, login, django_capture_on_commit_callbacks):
    cast = world.cast
    client = login(cast.organisation_member)
    base = f"/t/{cast.tenant.slug}/kvis/organisations/{cast.organisation.id}/imports/"

    response = client.get(base + "template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line["kvi_code"] for line in lines] == ["CARBON", "SESSIONS", "SPEND"]  # not LOCAL
    for line in lines:
        if line["kvi_code"] == "SPEND":
            line["numerator"], line["denominator"] = "13", "100"
        else:
            line["value"] = "7"
    filled = _csv([[line[c] for c in MEASUREMENT_COLUMNS] for line in lines])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base + "new/", {"file": SimpleUploadedFile("template.csv", filled)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == S.CHECKED, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/t/{cast.tenant.slug}/kvis/imports/{job.pk}/", {"then": "submit"})
    job.refresh_from_db()
    assert job.summary["created"] == 3
    assert Measurement.objects.get(kvi=world.kvis["SPEND"]).numerator == D("13")

    response = client.get(base + "template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Measurements", "KVIs", "Guidance"]
    kvis = {row[0]: row for row in workbook["KVIs"].iter_rows(min_row=2, values_only=True)}
    assert kvis["SPEND"][3] == "numerator and denominator" and kvis["CARBON"][2] == "quarterly"
    sheet = workbook["Measurements"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "SPEND":
            row[3].value, row[4].value = 13, 100
        else:
            row[2].value = 7
    out = io.BytesIO()
    workbook.save(out)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(base + "new/", {"file": SimpleUploadedFile("template.xlsx", out.getvalue())})
    job = ImportJob.objects.order_by("-created_at").first()
    assert job.status == S.CHECKED, job.errors
    assert job.summary["expected"] == {"created": 0, "changed": 0, "unchanged": 3}


def test_an_unfilled_template_names_every_row_to_fill(world):
    kvis = template_kvis(tenant=world.cast.tenant, organisation=world.cast.organisation)
    read = read_measurement_file(io.BytesIO(template_csv(kvis, today=date(2023, 2, 15))))
    assert [r["period"] for r in read.records] == ["2022-10-01", "2023-01-01", "2023-01-01"]
    _, errors = world.check(read.records)
    assert _errors(errors) == [(2, "value"), (3, "value"), (4, "numerator")]


# --- Jobs and tasks -------------------------------------------------------------------------


def test_tasks_delivered_twice_do_the_work_once(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    job = _upload(world, _csv(GOOD_ROWS), capture=capture)
    tenant_id, job_id = str(world.cast.tenant.id), str(job.pk)
    assert check_measurement_import.delay(tenant_id, job_id).get() == "skipped"
    job = _confirm(world, job, capture=capture)
    assert job.status == S.IMPORTED
    user_id = world.cast.organisation_member.pk
    assert run_measurement_import.delay(tenant_id, job_id, user_id).get() == "skipped"
    assert Measurement.objects.count() == 3
    assert check_measurement_import.name == "kvi.tasks.check_measurement_import"


def test_a_long_file_reports_progress_and_imports_in_bulk(
    world, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from kvi.imports import check_rows
    from kvi.periods import periods_between

    periods = periods_between(date(1850, 4, 1), date(2025, 3, 1), "monthly")
    assert len(periods) == 2100
    rows = [["SESSIONS", p.isoformat(), str(n), "", "", "", ""] for n, p in enumerate(periods)]
    read = read_measurement_file(io.BytesIO(_csv(rows)))
    seen = []
    good, errors, plan = check_rows(
        tenant=world.cast.tenant,
        access=world.access(),
        organisation=world.cast.organisation,
        records=read.records,
        progress=seen.append,
    )
    assert (len(good), errors, seen) == (2100, [], [1000, 2000, 2100])
    assert plan.counts() == {"created": 2100, "changed": 0, "unchanged": 0}
    job = _upload(world, _csv(rows), capture=django_capture_on_commit_callbacks)
    assert cache.get(imports_jobs.progress_key(job.pk)) is None  # cleared once checked
    job = _confirm(world, job, capture=django_capture_on_commit_callbacks)
    assert job.summary["created"] == 2100 and job.processed_rows == 2100
    assert Measurement.objects.filter(kvi=world.kvis["SESSIONS"]).count() == 2100
    assert Measurement.objects.get(period=date(2025, 3, 1)).value == D("2099")


def test_figures_changed_after_the_check_refuse_the_import(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    job = _upload(world, _csv(GOOD_ROWS), capture=capture)
    assert job.status == S.CHECKED
    cast, who = world.cast, world.cast.organisation_member
    kwargs = dict(tenant=cast.tenant, actor=who, access=world.access())
    entered = services.measurement_record(
        kvi=world.kvis["SESSIONS"], period=date(2022, 4, 1), value=D("99"), **kwargs
    )
    services.measurement_submit(measurement=entered, **kwargs)
    job = _confirm(world, job, capture=capture)
    assert job.status == S.REFUSED
    assert "changed after the file was checked" in job.failure_reason
    assert _errors(job) == [(3, "")]
    assert Measurement.objects.count() == 1


def test_cancel_drops_the_file(world, django_capture_on_commit_callbacks):
    from uploads.storage import exists_private

    capture = django_capture_on_commit_callbacks
    job = _upload(world, _csv(GOOD_ROWS), capture=capture)
    assert exists_private(job.storage_key)
    cast = world.cast
    with capture(execute=True):
        imports_jobs.measurement_import_cancel(
            tenant=cast.tenant, actor=cast.organisation_admin, access=world.access(), job=job
        )
    job.refresh_from_db()
    assert job.status == S.CANCELLED and not exists_private(job.storage_key)
    with pytest.raises(ValidationError):
        _confirm(world, job, capture=capture)
    assert AuditEvent.objects.filter(verb="import_job.cancelled").count() == 1


def test_a_task_for_tenant_b_cannot_touch_tenant_a_job(
    world, cast_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = imports_jobs.measurement_import_start(
            tenant=world.cast.tenant,
            actor=world.cast.organisation_member,
            access=world.access(),
            organisation=world.cast.organisation,
            uploaded_file=SimpleUploadedFile("figures.csv", _csv(GOOD_ROWS)),
        )
    assert check_measurement_import.delay(str(cast_b.tenant.id), str(job.pk)).get() == "skipped"
    job.refresh_from_db()
    assert job.status == S.UPLOADED


# --- Pages ----------------------------------------------------------------------------------


def _urls(cast, job=None):
    slug, org = cast.tenant.slug, cast.organisation.id
    urls = {
        "list": f"/t/{slug}/kvis/organisations/{org}/imports/",
        "start": f"/t/{slug}/kvis/organisations/{org}/imports/new/",
        "template": f"/t/{slug}/kvis/organisations/{org}/imports/template.xlsx",
    }
    if job is not None:
        urls |= {
            "job": f"/t/{slug}/kvis/imports/{job.pk}/",
            "cancel": f"/t/{slug}/kvis/imports/{job.pk}/cancel/",
            "errors": f"/t/{slug}/kvis/imports/{job.pk}/errors.csv",
        }
    return urls


def test_the_journey_through_the_pages(world, login, django_capture_on_commit_callbacks):
    cast = world.cast
    client = login(cast.organisation_admin)
    urls = _urls(cast)
    page = client.get(urls["start"]).content.decode()
    assert "Download the template as an Excel workbook (XLSX)" in page
    assert "Numerator and denominator (%)" in page and "LOCAL KVI" not in page
    # No file: the error is shown against the field.
    response = client.post(urls["start"], {})
    assert response.status_code == 200
    assert "Choose the file to import." in response.content.decode()
    # A bad file: refused, every problem listed.
    rows = [*GOOD_ROWS, ["NOPE", "2022-04-01", "1", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(urls["start"], {"file": SimpleUploadedFile("bad.csv", _csv(rows))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == _urls(cast, job)["job"]
    page = client.get(_urls(cast, job)["job"]).content.decode()
    assert "There is a problem" in page and "1 row of the file needs fixing" in page
    assert "This organisation has no KVI with the code NOPE." in page
    assert 'http-equiv="refresh"' not in page
    errors = client.get(_urls(cast, job)["errors"])
    assert errors.content.decode("utf-8-sig").splitlines()[1].startswith("5,kvi_code,")
    # A good file: the preview, then the import.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls["start"], {"file": SimpleUploadedFile("good.csv", _csv(GOOD_ROWS))})
    job = ImportJob.objects.order_by("-created_at").first()
    page = client.get(_urls(cast, job)["job"]).content.decode()
    assert "Import 3 figures" in page and "April ledger" in page and "New figure" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_urls(cast, job)["job"], {"then": "draft"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == S.IMPORTED and job.summary["submitted"] is False
    page = client.get(_urls(cast, job)["job"]).content.decode()
    assert "Kept as drafts" in page
    assert set(Measurement.objects.values_list("status", flat=True)) == {"draft"}
    # Importing again is refused; the list shows both jobs.
    response = client.post(_urls(cast, job)["job"], {"then": "submit"})
    assert response.status_code == 302 and Measurement.objects.count() == 3
    page = client.get(urls["list"]).content.decode()
    assert "bad.csv" in page and "good.csv" in page


def test_a_job_being_worked_on_refreshes_and_shows_progress(world, login):
    cast = world.cast
    job = ImportJob.objects.create(
        tenant=cast.tenant,
        kind=ImportKind.MEASUREMENTS,
        organisation=cast.organisation,
        storage_key="none",
        file_name="big.csv",
        file_sha256="0" * 64,
    )
    imports_jobs.progress_set(job.pk, stage="checking", done=1000, total=2500)
    page = login(cast.organisation_member).get(_urls(cast, job)["job"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Checking: 1,000 of 2,500 rows done." in page


def test_cancel_through_the_pages(world, login, django_capture_on_commit_callbacks):
    cast = world.cast
    job = _upload(world, _csv(GOOD_ROWS), capture=django_capture_on_commit_callbacks)
    client = login(cast.organisation_member)
    assert "Cancel the import" in client.get(_urls(cast, job)["cancel"]).content.decode()
    response = client.post(_urls(cast, job)["cancel"])
    assert response.status_code == 302 and response["Location"] == _urls(cast)["list"]
    job.refresh_from_db()
    assert job.status == S.CANCELLED


def test_who_is_refused(world, cast_b, login, django_capture_on_commit_callbacks):
    cast = world.cast
    job = _upload(world, _csv(GOOD_ROWS), capture=django_capture_on_commit_callbacks)
    with tenant_context(cast.tenant.id):
        other_member = factories.UserFactory()
        factories.MembershipFactory(
            tenant=cast.tenant,
            user=other_member,
            role=Role.ORGANISATION_MEMBER,
            organisation=cast.other_organisation,
        )
    urls = _urls(cast, job)
    for who in (cast.board_reporter, cast.tenant_admin, other_member, cast.outsider):
        client = login(who)
        for name in ("list", "start", "template", "job", "cancel", "errors"):
            assert client.get(urls[name]).status_code == 403, (who, name)
        assert client.post(urls["job"], {"then": "submit"}).status_code == 403
        assert client.post(urls["cancel"]).status_code == 403
        assert (
            client.post(
                urls["start"], {"file": SimpleUploadedFile("x.csv", _csv(GOOD_ROWS))}
            ).status_code
            == 403
        )
    # Tenant B's people: refused in tenant A, and tenant A's job is not found from tenant B.
    client = login(cast_b.organisation_admin)
    assert client.get(urls["job"]).status_code == 403
    b_job = f"/t/{cast_b.tenant.slug}/kvis/imports/{job.pk}/"
    assert client.get(b_job).status_code == 404
    assert client.post(b_job, {"then": "submit"}).status_code == 404
    assert client.get(b_job + "errors.csv").status_code == 404
    b_org = f"/t/{cast_b.tenant.slug}/kvis/organisations/{cast.organisation.id}/imports/"
    assert client.get(b_org).status_code == 404
    job.refresh_from_db()
    assert job.status == S.CHECKED and Measurement.objects.count() == 0
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize("problems", [3, 3000])
def test_the_job_page_makes_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries, problems
):
    cast = world.cast
    job = ImportJob.objects.create(
        tenant=cast.tenant,
        kind=ImportKind.MEASUREMENTS,
        organisation=cast.organisation,
        storage_key="gone",
        file_name="many.csv",
        file_sha256="0" * 64,
        status=S.REFUSED,
        total_rows=problems,
        errors=[RowError(n + 2, "value", "Enter a number.").as_dict() for n in range(problems)],
    )
    for n in range(problems // 100):
        ImportJob.objects.create(
            tenant=cast.tenant,
            kind=ImportKind.MEASUREMENTS,
            organisation=cast.organisation,
            storage_key="gone",
            file_name=f"old-{n}.csv",
            file_sha256="0" * 64,
            status=S.IMPORTED,
            created_by=cast.organisation_member,
        )
    client = login(cast.organisation_member)
    urls = _urls(cast, job)
    client.get(urls["job"])  # warm the session
    # Sign-in, tenant, memberships and navigation: 12 queries; the page itself: the job, once.
    with django_assert_max_num_queries(13):
        response = client.get(urls["job"] + "?page=2")
    page = response.content.decode()
    assert f"{problems:,} problem" in page
    assert "Enter a number." in page
    with django_assert_max_num_queries(15):  # the organisation, a count, one page of jobs
        assert client.get(urls["list"]).status_code == 200
