"""The demo's local spend (kvi.demo_spend): a synthetic postcode directory and Wirral's spend
ledger for April-September 2022, imported through the real services by `seed_demo`."""

import csv
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import User
from kvi import demo_spend
from kvi.models import (
    LedgerStatus,
    LocalArea,
    Measurement,
    Postcode,
    PostcodeRelease,
    SpendLedgerImport,
)
from kvi.postcodes import imd_decile, load_postcode_directory, resolve_columns
from organisations.models import Organisation
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Tenant

pytestmark = pytest.mark.django_db

D = Decimal


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def _wirral_ledgers():
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    wirral = Organisation.objects.get(ods_code="RY7")
    with tenant_context(tenant.id):
        return tenant, wirral, list(SpendLedgerImport.objects.filter(organisation=wirral))


def _counts():
    counts = {
        "releases": PostcodeRelease.objects.count(),
        "postcodes": Postcode.objects.count(),
    }
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant.id):
            counts[tenant.slug] = (
                SpendLedgerImport.objects.count(),
                Measurement.objects.count(),
                AuditEvent.objects.count(),
            )
    return counts


def test_the_directory_is_small_synthetic_onspd_with_spread_deciles():
    data = demo_spend.directory_csv()
    assert data == demo_spend.directory_csv()  # seeded: the same bytes every time
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert list(rows[0]) == demo_spend.ONSPD_HEADER
    assert resolve_columns(demo_spend.ONSPD_HEADER) == {
        "postcode": "pcds",
        "district": "oslaua",
        "deprivation": "imd",
        "doterm": "doterm",
        "lsoa": "lsoa21",
        "icb": "icb",
    }
    assert 300 <= len(rows) <= 600
    assert len({row["pcds"] for row in rows}) == len(rows)
    assert all(len(row["pcd"]) == 7 and len(row["pcd2"]) == 8 for row in rows)
    districts = Counter(row["oslaua"] for row in rows)
    assert set(demo_spend.LOCAL_LADS) <= set(districts)
    assert {"E08000012", "E08000014", "E06000050"} <= set(districts)  # the neighbours
    wirral_outward = {row["pcds"].split()[0] for row in rows if row["oslaua"] == "E08000015"}
    assert wirral_outward == {f"CH{n}" for n in [*range(41, 50), *range(60, 64)]}
    ranks = [int(row["imd"]) for row in rows]
    assert 1 <= min(ranks) and max(ranks) <= 32_844
    deciles = Counter(imd_decile(rank, 32_844) for rank in ranks)
    assert set(deciles) == set(range(1, 11))
    assert max(deciles.values()) < len(rows) / 4
    terminated = sum(1 for row in rows if row["doterm"])
    assert 0.02 * len(rows) < terminated < 0.08 * len(rows)
    assert all(row["doterm"] > row["dointr"] for row in rows if row["doterm"])


def test_the_ledger_splits_the_money_exactly():
    rows = demo_spend.ledger_rows()
    assert demo_spend.ledger_csv() == demo_spend.ledger_csv()
    assert sum(D(row["amount"]) for row in rows) == D("25000000.00")
    assert all(D(row["amount"]) > 0 for row in rows)
    assert {row["payment_date"][:7] for row in rows} == {f"2022-0{m}" for m in range(4, 10)}
    assert demo_spend.split_exactly(100, [1, 1, 1]) == [34, 33, 33]
    assert sum(demo_spend.split_exactly(2_970_000_00, [7, 3, 11, 13])) == 2_970_000_00


def test_seed_demo_imports_wirrals_ledger_with_the_board_reports_figures(login):
    _seed()
    release = PostcodeRelease.objects.get()
    assert release.name == demo_spend.RELEASE_NAME
    assert release.deprivation_edition == "IoD2019"
    assert release.rows == Postcode.objects.filter(release=release).count() > 300
    tenant, wirral, ledgers = _wirral_ledgers()
    assert len(ledgers) == 1
    ledger = ledgers[0]
    assert ledger.status == LedgerStatus.IMPORTED
    assert ledger.errors == []
    assert ledger.release == release
    assert ledger.uploaded_by == User.objects.get(email="org.admin@demo.example")
    with tenant_context(tenant.id):
        assert ledger.local_area == LocalArea.objects.get(
            name="Wirral, Cheshire East, Knowsley and St Helens"
        )
    results = ledger.results
    assert (ledger.period_start.month, ledger.period_end.month) == (4, 9)
    assert ledger.period_start.year == ledger.period_end.year == 2022
    assert results["total_spend"] == "25000000.00"
    assert results["local_spend"] == "3272500.00"
    assert results["local_percent"] == "13.09"
    by_district = {item["district"]: item for item in results["by_district"]}
    assert by_district["E08000015"]["spend"] == "2970000.00"
    assert by_district["E08000015"]["percent"] == "11.88"
    other_local = sum(
        D(by_district[lad]["spend"]) for lad in ["E06000049", "E08000011", "E08000013"]
    )
    assert other_local == D("302500.00")  # 1.21%
    assert D(results["sme_spend"]) > 0 and D(results["vcse_spend"]) > 0
    assert len([d for d in results["by_imd_decile"] if d["decile"] is not None]) >= 8
    assert len(results["by_month"]) == 6
    reasons = {note["reason"] for note in ledger.row_notes["unresolved"]}
    assert reasons == {"blank", "not_a_postcode", "not_found"}
    assert results["unresolved_rows"] == 3
    assert results["unresolved_spend"] == "6727.50"
    # One Wirral supplier's postcode is terminated: still local, flagged on each of its rows.
    assert len({note["postcode"] for note in ledger.row_notes["terminated"]}) == 1
    with tenant_context(tenant.id):
        assert AuditEvent.objects.filter(verb="spend_ledger.imported", object_id=str(ledger.pk))

    # The organisation admin sees it, with the rows to fix.
    client = login(User.objects.get(email="org.admin@demo.example"))
    base = f"/t/{tenant.slug}/kvis/organisations/{wirral.pk}/spend-ledgers/"
    listing = client.get(base)
    assert listing.status_code == 200
    assert demo_spend.LEDGER_FILE in listing.content.decode()
    detail = client.get(f"{base}{ledger.pk}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "13.09" in page and "11.88" in page
    assert "CH62 9ZZ" in page and "TBC" in page
    upload = client.get(f"{base}upload/")
    assert upload.status_code == 200
    assert "No postcode directory has been loaded yet" not in upload.content.decode()


def test_seed_demo_twice_creates_nothing_new():
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first
    assert first["releases"] == 1


def test_an_existing_release_is_left_alone_and_used(tmp_path):
    path = demo_spend.write_directory(tmp_path / "ONSPD_NOV_2025_UK.csv")
    existing = load_postcode_directory(path, release_name="ONSPD November 2025")
    rows = existing.rows
    _seed()
    assert list(PostcodeRelease.objects.values_list("name", flat=True)) == ["ONSPD November 2025"]
    existing.refresh_from_db()
    assert existing.rows == rows == Postcode.objects.count()
    _tenant, _wirral, ledgers = _wirral_ledgers()
    assert [ledger.release_id for ledger in ledgers] == [existing.id]
    assert ledgers[0].results["local_percent"] == "13.09"
    assert ledgers[0].results["release"] == "ONSPD November 2025"
