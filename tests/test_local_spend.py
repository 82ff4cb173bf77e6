"""Local spend from a supply-chain ledger: the figures of Wirral's board report, refusals,
unresolved and terminated postcodes, idempotent imports, permissions and isolation."""

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kvi.ledger import analyse_ledger
from kvi.models import LedgerStatus, LocalArea, SpendLedgerImport
from kvi.postcodes import load_postcode_directory
from kvi.selectors import spend_ledger_import_list
from kvi.services import local_area_save, spend_ledger_import
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for
from tests.postcode_files import (
    CLEAN_LEDGER,
    ERRORS_LEDGER,
    MESSY_LEDGER,
    ONSPD_SAMPLE,
    facts,
    require_shared_data,
    write_fixed_errors_ledger,
)

pytestmark = pytest.mark.django_db

WIRRAL = "E08000015"
CENT = Decimal("0.01")


@pytest.fixture
def release():
    require_shared_data()
    return load_postcode_directory(ONSPD_SAMPLE, release_name="ONSPD sample")


@pytest.fixture
def wirral(cast_a):
    """Tenant A's local area: Wirral, Cheshire East, Knowsley and St Helens."""
    with tenant_context(cast_a.tenant.id):
        return local_area_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant),
            name="Wirral",
            district_codes=facts()["local_lads"],
        )


def _upload(path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def _import(cast, path, *, local_area, user=None, release=None) -> SpendLedgerImport:
    user = user or cast.organisation_admin
    with tenant_context(cast.tenant.id):
        return spend_ledger_import(
            tenant=cast.tenant,
            actor=user,
            access=tenant_access_for(user=user, tenant=cast.tenant),
            organisation=cast.organisation,
            uploaded_file=_upload(path),
            local_area=local_area,
            release=release,
        )


def _count(cast, model, **filters) -> int:
    with tenant_context(cast.tenant.id):
        return model.objects.filter(**filters).count()


@pytest.mark.parametrize("ledger", [CLEAN_LEDGER, MESSY_LEDGER], ids=["clean", "messy"])
def test_clean_and_messy_ledgers_give_13_09_local_and_11_88_wirral(cast_a, release, wirral, ledger):
    expected = facts()
    ledger_import = _import(cast_a, ledger, local_area=wirral)

    assert ledger_import.status == LedgerStatus.IMPORTED
    assert ledger_import.errors == []
    results = ledger_import.results
    total, local = Decimal(results["total_spend"]), Decimal(results["local_spend"])
    assert total == Decimal(expected["total"]) == Decimal("25000000.00")
    # Exact, not just rounded: 13.09% and 11.88% of £25,000,000.
    assert local * 100 / total == Decimal(expected["local_share_percent"]) == Decimal("13.09")
    assert results["local_percent"] == "13.09"
    by_district = {item["district"]: item for item in results["by_district"]}
    wirral_spend = Decimal(by_district[WIRRAL]["spend"])
    assert wirral_spend * 100 / total == Decimal(expected["wirral_share_percent"])
    assert by_district[WIRRAL]["percent"] == "11.88"
    assert by_district[WIRRAL]["local"] is True
    buckets = expected["by_bucket"]
    assert wirral_spend == Decimal(buckets["wirral"])
    other_local = (
        sum(Decimal(item["spend"]) for item in results["by_district"] if item["local"])
        - wirral_spend
    )
    assert other_local == Decimal(buckets["other_local"])
    assert total - local == Decimal(buckets["nonlocal"])
    assert sum(Decimal(item["spend"]) for item in results["by_district"]) == total

    assert results["rows"] == 2000
    assert results["unresolved_rows"] == 0
    assert (ledger_import.period_start.isoformat(), ledger_import.period_end.isoformat()) == (
        "2022-04-01",
        "2022-09-30",
    )
    assert (results["release"], results["deprivation_edition"]) == ("ONSPD sample", "IoD2019")
    assert results["deprivation_areas"] == 32_844
    assert sum(Decimal(item["spend"]) for item in results["by_imd_decile"]) == total
    assert {item["decile"] for item in results["by_imd_decile"]} <= set(range(1, 11))
    assert sum(Decimal(item["spend"]) for item in results["by_month"]) == total
    assert [item["month"] for item in results["by_month"]] == [
        f"2022-{month:02d}-01" for month in range(4, 10)
    ]
    assert Decimal(results["sme_spend"]) > 0 and Decimal(results["vcse_spend"]) > 0
    # Aggregates only: no supplier names leave the organisation.
    assert "Ltd" not in json.dumps(results) + json.dumps(ledger_import.row_notes)


def test_clean_and_messy_ledgers_give_identical_results(cast_a, release, wirral):
    clean = _import(cast_a, CLEAN_LEDGER, local_area=wirral)
    messy = _import(cast_a, MESSY_LEDGER, local_area=wirral)
    assert clean.pk != messy.pk
    assert clean.results == messy.results


def test_sme_and_vcse_shares_are_exact_shares_of_all_spend(cast_a, release, wirral):
    import csv

    with CLEAN_LEDGER.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = sum(Decimal(row["amount"]) for row in rows)
    sme = sum(Decimal(row["amount"]) for row in rows if row["supplier_type"] == "SME")
    vcse = sum(Decimal(row["amount"]) for row in rows if row["supplier_type"] == "VCSE")
    results = _import(cast_a, CLEAN_LEDGER, local_area=wirral).results
    assert (Decimal(results["sme_spend"]), Decimal(results["vcse_spend"])) == (sme, vcse)
    assert results["sme_percent"] == str((sme * 100 / total).quantize(CENT, ROUND_HALF_UP))


def test_ledger_with_errors_is_refused_naming_rows_12_and_24(cast_a, release, wirral):
    problems = facts()["errors_file_problem_rows_1_based_excluding_header"]
    assert (problems["12"], problems["24"]) == ("amount not a number", "bad date")

    ledger_import = _import(cast_a, ERRORS_LEDGER, local_area=wirral)

    assert ledger_import.status == LedgerStatus.REFUSED
    assert [(e["row"], e["column"]) for e in ledger_import.errors] == [
        (12, "amount"),
        (24, "payment_date"),
    ]
    assert "twelve pounds" in ledger_import.errors[0]["message"]
    assert "2022-13-45" in ledger_import.errors[1]["message"]
    # Nothing but the refusal is stored.
    assert ledger_import.results == {} and ledger_import.row_notes == {}
    assert ledger_import.period_start is None and ledger_import.period_end is None
    assert _count(cast_a, SpendLedgerImport) == 1
    assert _count(cast_a, AuditEvent, verb="spend_ledger.refused") == 1
    assert _count(cast_a, AuditEvent, verb="spend_ledger.imported") == 0


def test_fixed_ledger_imports_listing_unresolved_rows_and_the_terminated_row(
    cast_a, release, wirral, tmp_path
):
    problems = facts()["errors_file_problem_rows_1_based_excluding_header"]
    fixed = write_fixed_errors_ledger(tmp_path)

    ledger_import = _import(cast_a, fixed, local_area=wirral)

    assert ledger_import.status == LedgerStatus.IMPORTED
    notes = ledger_import.row_notes
    assert [(r["row"], r["reason"]) for r in notes["unresolved"]] == [
        (4, "not_found"),
        (20, "blank"),
        (30, "not_a_postcode"),
    ]
    assert [r["postcode"] for r in notes["unresolved"]] == ["ZZ99 9ZZ", "", "NOT A POSTCODE"]
    assert [r["row"] for r in notes["terminated"]] == [8]
    assert problems["8"] == "terminated postcode"
    assert {problems[str(r["row"])] for r in notes["unresolved"]} == {
        "unknown postcode",
        "blank postcode",
        "malformed postcode",
    }

    results = ledger_import.results
    assert (results["rows"], results["unresolved_rows"], results["terminated_rows"]) == (40, 3, 1)
    total = Decimal(results["total_spend"])
    unresolved = Decimal(results["unresolved_spend"])
    assert unresolved == Decimal("7116.08") + Decimal("11773.22") + Decimal("15892.87")
    # Unresolved spend counts in the total but in no area.
    resolved = sum(Decimal(item["spend"]) for item in results["by_district"])
    assert resolved + unresolved == total
    local = Decimal(results["local_spend"])
    assert results["local_percent"] == str((local * 100 / total).quantize(CENT, ROUND_HALF_UP))
    assert {"decile": None, "spend": str(unresolved), "percent": results["unresolved_percent"]} in (
        results["by_imd_decile"]
    )
    # Row 8's terminated postcode (CH41 0UN, Wirral) still counts as local spend in Wirral.
    assert notes["terminated"][0]["postcode"] == "CH41 0UN"
    without_row_8 = analyse_ledger(
        _drop_row(fixed, 8, tmp_path), release=release, local_area=wirral
    )
    assert local - without_row_8.local == Decimal("6966.15")
    assert without_row_8.by_district[WIRRAL] == Decimal(by_district_spend(results)[WIRRAL]) - (
        Decimal("6966.15")
    )


def by_district_spend(results) -> dict[str, str]:
    return {item["district"]: item["spend"] for item in results["by_district"]}


def _drop_row(path, row: int, directory):
    lines = path.read_bytes().split(b"\r\n")
    del lines[row]
    copy = directory / "without_row.csv"
    copy.write_bytes(b"\r\n".join(lines))
    return copy


def test_the_same_file_twice_leaves_one_import(cast_a, release, wirral):
    first = _import(cast_a, CLEAN_LEDGER, local_area=wirral)
    second = _import(cast_a, CLEAN_LEDGER, local_area=wirral, user=_second_admin(cast_a))
    assert second.pk == first.pk
    assert second.uploaded_by == cast_a.organisation_admin
    assert _count(cast_a, SpendLedgerImport) == 1
    assert _count(cast_a, AuditEvent, verb="spend_ledger.imported") == 1


def test_the_same_refused_file_twice_leaves_one_refusal(cast_a, release, wirral):
    first = _import(cast_a, ERRORS_LEDGER, local_area=wirral)
    assert _import(cast_a, ERRORS_LEDGER, local_area=wirral).pk == first.pk
    assert _count(cast_a, SpendLedgerImport) == 1


def test_the_latest_release_is_used_by_default(cast_a, release, wirral):
    ledger_import = _import(cast_a, CLEAN_LEDGER, local_area=wirral)
    assert ledger_import.release == release


def _second_admin(cast, organisation=None):
    """Another organisation admin (of the cast's organisation unless another is given)."""
    from tenancy.models import Role
    from tests import factories

    user = factories.UserFactory()
    with tenant_context(cast.tenant.id):
        factories.MembershipFactory(
            tenant=cast.tenant,
            user=user,
            role=Role.ORGANISATION_ADMIN,
            organisation=organisation or cast.organisation,
        )
    return user


@pytest.mark.parametrize(
    "who",
    [
        "tenant_admin",
        "organisation_member",
        "assessor",
        "board_reporter",
        "outsider",
        "other_org_admin",
    ],
)
def test_only_the_organisation_admin_may_import(cast_a, release, wirral, who):
    # Uploading an organisation's data is its admins' (UPLOAD_ORGANISATION_DATA), not the
    # programme team's.
    if who == "other_org_admin":
        user = _second_admin(cast_a, cast_a.other_organisation)
    else:
        user = getattr(cast_a, who)
    with pytest.raises(PermissionDenied):
        _import(cast_a, CLEAN_LEDGER, local_area=wirral, user=user)
    assert _count(cast_a, SpendLedgerImport) == 0
    assert _import(cast_a, CLEAN_LEDGER, local_area=wirral, user=cast_a.organisation_admin).pk


def test_tenant_b_cannot_see_or_use_tenant_a_imports(cast_a, cast_b, release, wirral):
    a_import = _import(cast_a, CLEAN_LEDGER, local_area=wirral)
    b_admin = cast_b.tenant_admin
    with tenant_context(cast_b.tenant.id):
        access = tenant_access_for(user=b_admin, tenant=cast_b.tenant)
        assert not SpendLedgerImport.objects.filter(pk=a_import.pk).exists()
        assert not SpendLedgerImport.objects.exists()
        assert not LocalArea.objects.exists()
        assert list(spend_ledger_import_list(tenant=cast_b.tenant, access=access)) == []
        # Even asking for tenant A's rows by name finds nothing.
        assert list(spend_ledger_import_list(tenant=cast_a.tenant, access=access)) == []
        # And tenant A's local area is not one of tenant B's.
        b_organisation_admin = cast_b.organisation_admin
        with pytest.raises(ValidationError):
            spend_ledger_import(
                tenant=cast_b.tenant,
                actor=b_organisation_admin,
                access=tenant_access_for(user=b_organisation_admin, tenant=cast_b.tenant),
                organisation=cast_b.organisation,
                uploaded_file=_upload(CLEAN_LEDGER),
                local_area=wirral,
            )
    with tenant_context(cast_a.tenant.id):
        access = tenant_access_for(user=cast_a.organisation_admin, tenant=cast_a.tenant)
        assert list(spend_ledger_import_list(tenant=cast_a.tenant, access=access)) == [a_import]
        # The organisation's members see its imports; the programme team sees every one.
        member = tenant_access_for(user=cast_a.organisation_member, tenant=cast_a.tenant)
        assert list(spend_ledger_import_list(tenant=cast_a.tenant, access=member)) == [a_import]
        reporter = tenant_access_for(user=cast_a.board_reporter, tenant=cast_a.tenant)
        assert list(spend_ledger_import_list(tenant=cast_a.tenant, access=reporter)) == [a_import]
        outsider = tenant_access_for(user=cast_a.outsider, tenant=cast_a.tenant)
        with pytest.raises(PermissionDenied):
            spend_ledger_import_list(tenant=cast_a.tenant, access=outsider)


def test_an_organisation_outside_the_programme_cannot_import(cast_a, cast_b, release, wirral):
    # Even someone holding an admin role for that organisation in this tenant.
    admin = _second_admin(cast_a, cast_b.organisation)
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError):
        spend_ledger_import(
            tenant=cast_a.tenant,
            actor=admin,
            access=tenant_access_for(user=admin, tenant=cast_a.tenant),
            organisation=cast_b.organisation,
            uploaded_file=_upload(CLEAN_LEDGER),
            local_area=wirral,
        )


# --- The parser on small files ----------------------------------------------------------------

HEADER = "supplier_name,supplier_postcode,amount,payment_date,supplier_type,category\n"


def _analyse(tmp_path, body: str, *, release, header=HEADER, encoding="utf-8"):
    path = tmp_path / "ledger.csv"
    path.write_bytes((header + body).encode(encoding))
    area = LocalArea(name="Wirral", district_codes=[WIRRAL])
    return analyse_ledger(path, release=release, local_area=area)


def test_messy_amounts_and_dates_are_read(tmp_path, release):
    result = _analyse(
        tmp_path,
        'A,ch416wy,"£1,000.50",2022-04-01,sme,\n'
        "B, CH41 6WY ,(250.25),30/04/2022,SME/VCSE,\n"
        "C,CH416WY,  99 ,2022-5-3,,\n"
        "\n",
        release=release,
    )
    assert result.errors == []
    assert result.rows == 3
    assert result.total == Decimal("849.25")
    assert result.local == Decimal("849.25")
    assert (result.sme, result.vcse) == (Decimal("750.25"), Decimal("-250.25"))
    assert (str(result.period_start), str(result.period_end)) == ("2022-04-01", "2022-05-03")


def test_windows_1252_exports_are_read(tmp_path, release):
    result = _analyse(
        tmp_path, "A,CH41 6WY,£12.50,2022-04-01,,\n", release=release, encoding="cp1252"
    )
    assert result.errors == [] and result.total == Decimal("12.50")


def test_every_bad_row_is_named_with_its_column(tmp_path, release):
    result = _analyse(
        tmp_path,
        "A,CH41 6WY,1.00,2022-04-01,,\n"
        "B,CH41 6WY,,2022-02-30,,\n"
        "C,CH41 6WY,1e5,,,\n"
        "D,CH41 6WY,NaN,April,,\n",
        release=release,
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "amount"),
        (2, "payment_date"),
        (3, "amount"),
        (3, "payment_date"),
        (4, "amount"),
        (4, "payment_date"),
    ]
    assert result.results_json() == {}


def test_missing_required_columns_are_file_errors(tmp_path, release):
    result = _analyse(tmp_path, "A,12.00\n", release=release, header="supplier_name,amount\n")
    assert [(e.row, e.column) for e in result.errors] == [
        (None, "supplier_postcode"),
        (None, "payment_date"),
    ]


def test_headers_are_matched_loosely(tmp_path, release):
    result = _analyse(
        tmp_path,
        "A,CH41 6WY,10,2022-04-01\n",
        release=release,
        header=" Supplier Name ,Supplier Postcode,AMOUNT,Payment-Date\n",
    )
    assert result.errors == [] and result.local == Decimal("10")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (HEADER.encode(), "no rows"), (HEADER.encode() + b"A,B,1,2,3,4,5,6\n", "CSV")],
)
def test_unreadable_files_are_refused(tmp_path, release, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = analyse_ledger(path, release=release, local_area=LocalArea(district_codes=[WIRRAL]))
    assert result.refused
    assert message in result.errors[0].message


def test_local_area_codes_are_checked(cast_a):
    with tenant_context(cast_a.tenant.id):
        access = tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant)
        with pytest.raises(ValidationError) as refused:
            local_area_save(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access,
                name="Wirral",
                district_codes=["E08000015", "Wirral"],
            )
        assert "WIRRAL" in str(refused.value.message_dict["district_codes"])
        with pytest.raises(PermissionDenied):
            local_area_save(
                tenant=cast_a.tenant,
                actor=cast_a.organisation_admin,
                access=tenant_access_for(user=cast_a.organisation_admin, tenant=cast_a.tenant),
                name="Wirral",
                district_codes=["E08000015"],
            )
        assert not LocalArea.objects.exists()
