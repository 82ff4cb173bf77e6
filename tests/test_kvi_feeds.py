"""KVIs fed from uploads: a spend ledger's local, SME and VCSE spend and a workforce return's
counts become submitted measurements with exact numerators and denominators; submitted figures
that differ are left alone and reported; feeding twice changes nothing; isolation and roles."""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from kvi import feeds, selectors, services
from kvi.models import Measurement, MeasurementRevision, MeasurementStatus, Metric
from kvi.postcodes import load_postcode_directory
from kvi.services import KviInput
from kvi.upload_tasks import spend_ledger_import_task
from kvi.workforce import workforce_return_save
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for
from tests.postcode_files import CLEAN_LEDGER, ONSPD_SAMPLE, facts, require_shared_data

pytestmark = pytest.mark.django_db
D = Decimal

# --- Shared set-up (also used by tests/test_ledger_pages.py and tests/test_workforce.py) -------


def load_release():
    require_shared_data()
    return load_postcode_directory(ONSPD_SAMPLE, release_name="ONSPD sample")


def make_local_area(cast, name="Wirral", population=None):
    with tenant_context(cast.tenant.id):
        area = services.local_area_save(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant),
            name=name,
            district_codes=facts()["local_lads"],
        )
        if population is not None:
            area.population = population
            area.save(update_fields=["population"])
        return area


def access_of(cast, user):
    return tenant_access_for(user=user, tenant=cast.tenant)


class FeedSetup:
    """A published framework whose metrics take each feed, and KVIs of the cast's organisation
    on them: {code: Kvi}. `kvis` is a list of (code, feed, frequency)."""

    def __init__(self, cast, kvis, organisation=None, name="Social value"):
        tenant, admin = cast.tenant, cast.tenant_admin
        access = access_of(cast, admin)
        framework = services.framework_create(tenant=tenant, actor=admin, access=access, name=name)
        theme = services.theme_save(
            tenant=tenant, actor=admin, access=access, framework=framework, name="Economic"
        )
        subtheme = services.subtheme_save(
            tenant=tenant, actor=admin, access=access, theme=theme, name="Fed"
        )
        metrics: dict[str, Metric] = {}
        for feed in {feed for _, feed, _ in kvis}:
            metrics[feed] = services.metric_save(
                tenant=tenant,
                actor=admin,
                access=access,
                subtheme=subtheme,
                code=feed.upper().replace("_", "-"),
                name=feed,
                definition=f"From {feed}",
                unit="%",
                direction="increase",
                aggregation="ratio",
                feed=feed,
            )
        services.framework_publish(tenant=tenant, actor=admin, access=access, framework=framework)
        organisation = organisation or cast.organisation
        self.kvis = {
            code: services.kvi_create(
                tenant=tenant,
                actor=cast.organisation_admin,
                access=access_of(cast, cast.organisation_admin),
                organisation=organisation,
                data=KviInput(code=code, title=code, metric=metrics[feed], frequency=frequency),
            )
            for code, feed, frequency in kvis
        }


def upload(path_or_bytes, name=None) -> SimpleUploadedFile:
    if isinstance(path_or_bytes, bytes):
        return SimpleUploadedFile(name or "file.csv", path_or_bytes, content_type="text/csv")
    return SimpleUploadedFile(
        name or path_or_bytes.name, path_or_bytes.read_bytes(), content_type="text/csv"
    )


def import_ledger(cast, path, area, name=None):
    """Upload a ledger as the organisation admin and run its job (as the worker would)."""
    with tenant_context(cast.tenant.id):
        job = services.spend_ledger_upload(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=access_of(cast, cast.organisation_admin),
            organisation=cast.organisation,
            uploaded_file=upload(path, name),
            local_area=area,
        ).job
    spend_ledger_import_task.apply(args=[str(cast.tenant.id), str(job.pk)])
    with tenant_context(cast.tenant.id):
        job.refresh_from_db()
        return job


def measurements(cast, kvi) -> list[tuple[str, Decimal, Decimal, str]]:
    with tenant_context(cast.tenant.id):
        return [
            (m.period.isoformat(), m.numerator, m.denominator, m.status)
            for m in Measurement.objects.filter(kvi=kvi).order_by("period")
        ]


# --- The expected figures, worked out here from the sample files ---------------------------


def expected_by_month(path=CLEAN_LEDGER) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """month -> (all spend, local spend, SME spend, VCSE spend), from the CSVs themselves."""
    with ONSPD_SAMPLE.open(newline="") as handle:
        district = {row["pcds"]: row["oslaua"] for row in csv.DictReader(handle)}
    local = set(facts()["local_lads"])
    sums = defaultdict(lambda: [D(0), D(0), D(0), D(0)])
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            month = row["payment_date"][:7] + "-01"
            amount = D(row["amount"])
            sums[month][0] += amount
            sums[month][1] += amount if district.get(row["supplier_postcode"]) in local else 0
            sums[month][2] += amount if row["supplier_type"] == "SME" else 0
            sums[month][3] += amount if row["supplier_type"] == "VCSE" else 0
    return {month: tuple(values) for month, values in sorted(sums.items())}


def first_quarter_ledger(directory):
    """The clean ledger's April to June 2022 rows only."""
    lines = CLEAN_LEDGER.read_text().splitlines(keepends=True)
    kept = [line for line in lines[1:] if any(f",2022-0{m}-" in line for m in (4, 5, 6))]
    path = directory / "ledger_q1.csv"
    path.write_text(lines[0] + "".join(kept))
    return path


LEDGER_KVIS = [
    ("LOCAL-M", "ledger_local_spend", "monthly"),
    ("LOCAL-Q", "ledger_local_spend", "quarterly"),
    ("LOCAL-A", "ledger_local_spend", "annual"),
    ("SME-Q", "ledger_sme_spend", "quarterly"),
    ("VCSE-Q", "ledger_vcse_spend", "quarterly"),
]


@pytest.fixture
def ledger_setup(cast_a):
    load_release()
    area = make_local_area(cast_a)
    with tenant_context(cast_a.tenant.id):
        setup = FeedSetup(cast_a, LEDGER_KVIS)
    return setup, area


# --- Spend ledgers -----------------------------------------------------------------------------


def test_a_ledger_feeds_local_spend_per_month_and_quarter_with_exact_figures(cast_a, ledger_setup):
    setup, area = ledger_setup
    job = import_ledger(cast_a, CLEAN_LEDGER, area)
    expected = expected_by_month()
    assert sum(v[1] for v in expected.values()) == D("3272500.00")  # 13.09% of £25,000,000

    monthly = measurements(cast_a, setup.kvis["LOCAL-M"])
    assert monthly == [
        (month, local, total, MeasurementStatus.SUBMITTED)
        for month, (total, local, _, _) in expected.items()
    ]
    q1 = [expected[f"2022-0{m}-01"] for m in (4, 5, 6)]
    q2 = [expected[f"2022-0{m}-01"] for m in (7, 8, 9)]
    assert measurements(cast_a, setup.kvis["LOCAL-Q"]) == [
        ("2022-04-01", sum(v[1] for v in q1), sum(v[0] for v in q1), "submitted"),
        ("2022-07-01", sum(v[1] for v in q2), sum(v[0] for v in q2), "submitted"),
    ]
    # The ledger covers half of 2022/23, and gives SME/VCSE spend for the whole file only.
    assert measurements(cast_a, setup.kvis["LOCAL-A"]) == []
    assert measurements(cast_a, setup.kvis["SME-Q"]) == []
    report = job.summary["feeds"]
    assert len(report["recorded"]) == 8
    skipped = {entry["kvi"]: entry["message"] for entry in report["skipped"]}
    assert (
        "2022/23: the ledger covers only part of it (April 2022 to September 2022)"
        in (skipped["LOCAL-A"])
    )
    assert "SME spend for the whole file only" in skipped["SME-Q"]
    with tenant_context(cast_a.tenant.id):
        april = Measurement.objects.get(kvi=setup.kvis["LOCAL-M"], period=date(2022, 4, 1))
        assert april.source == "Spend ledger spend_ledger_2022_h1.csv"
        assert april.entered_by == cast_a.organisation_admin
        assert AuditEvent.objects.filter(verb="spend_ledger.fed_kvis").count() == 1
        assert AuditEvent.objects.filter(verb="measurement.submitted").count() == 8


def test_a_ledger_of_exactly_one_quarter_feeds_sme_and_vcse(cast_a, ledger_setup, tmp_path):
    setup, area = ledger_setup
    path = first_quarter_ledger(tmp_path)
    job = import_ledger(cast_a, path, area)
    assert job.status == "imported"
    expected = expected_by_month(path)
    total = sum(v[0] for v in expected.values())
    sme, vcse = sum(v[2] for v in expected.values()), sum(v[3] for v in expected.values())
    assert sme > 0 and vcse > 0
    assert measurements(cast_a, setup.kvis["SME-Q"]) == [("2022-04-01", sme, total, "submitted")]
    assert measurements(cast_a, setup.kvis["VCSE-Q"]) == [("2022-04-01", vcse, total, "submitted")]


def test_feeding_twice_changes_nothing(cast_a, ledger_setup):
    setup, area = ledger_setup
    job = import_ledger(cast_a, CLEAN_LEDGER, area)
    with tenant_context(cast_a.tenant.id):
        ledger = selectors.spend_ledger_get_for(
            tenant=cast_a.tenant,
            organisation=cast_a.organisation,
            pk=job.summary["spend_ledger_import"],
        )
        before = (Measurement.objects.count(), AuditEvent.objects.count())
        report = feeds.ledger_feed(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=access_of(cast_a, cast_a.organisation_admin),
            ledger=ledger,
        )
        assert (Measurement.objects.count(), AuditEvent.objects.count()) == before
    assert report.recorded == [] and report.needs_correction == []
    assert len(report.unchanged) == 8


def test_submitted_figures_that_differ_are_reported_not_overwritten(cast_a, ledger_setup):
    setup, area = ledger_setup
    kvi = setup.kvis["LOCAL-M"]
    member = cast_a.organisation_member
    with tenant_context(cast_a.tenant.id):
        who = {"tenant": cast_a.tenant, "actor": member, "access": access_of(cast_a, member)}
        typed = services.measurement_record(
            kvi=kvi, period=date(2022, 4, 1), numerator=D("1"), denominator=D("10"), **who
        )
        services.measurement_submit(measurement=typed, **who)
        draft = services.measurement_record(
            kvi=kvi, period=date(2022, 5, 1), numerator=D("2"), denominator=D("10"), **who
        )
    job = import_ledger(cast_a, CLEAN_LEDGER, area)
    expected = expected_by_month()

    report = job.summary["feeds"]
    assert [(e["kvi"], e["period"]) for e in report["needs_correction"]] == [
        ("LOCAL-M", "2022-04-01")
    ]
    assert report["needs_correction"][0]["current"] == "1 / 10"
    with tenant_context(cast_a.tenant.id):
        typed.refresh_from_db()
        assert (typed.numerator, typed.denominator, typed.status) == (D(1), D(10), "submitted")
        assert not MeasurementRevision.objects.exists()
        draft.refresh_from_db()  # a draft is replaced by the ledger's figures and submitted
        total, local = expected["2022-05-01"][:2]
        assert (draft.numerator, draft.denominator, draft.status) == (local, total, "submitted")


def test_only_the_organisation_admin_may_feed_and_other_organisations_are_untouched(
    cast_a, cast_b, ledger_setup
):
    setup, area = ledger_setup
    with tenant_context(cast_a.tenant.id):
        other_kvi = services.kvi_create(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access_of(cast_a, cast_a.tenant_admin),
            organisation=cast_a.other_organisation,
            data=KviInput(
                code="THEIRS",
                title="Theirs",
                metric=setup.kvis["LOCAL-M"].metric,
                frequency="monthly",
            ),
        )
    make_local_area(cast_b)
    with tenant_context(cast_b.tenant.id):
        setup_b = FeedSetup(cast_b, [("LOCAL-M", "ledger_local_spend", "monthly")])
    job = import_ledger(cast_a, CLEAN_LEDGER, area)
    assert measurements(cast_a, other_kvi) == []
    assert measurements(cast_b, setup_b.kvis["LOCAL-M"]) == []
    with tenant_context(cast_a.tenant.id):
        ledger = selectors.spend_ledger_get_for(
            tenant=cast_a.tenant,
            organisation=cast_a.organisation,
            pk=job.summary["spend_ledger_import"],
        )
        for who in (cast_a.organisation_member, cast_a.tenant_admin, cast_a.board_reporter):
            with pytest.raises(PermissionDenied):
                feeds.ledger_feed(
                    tenant=cast_a.tenant, actor=who, access=access_of(cast_a, who), ledger=ledger
                )


# --- Workforce returns -------------------------------------------------------------------------

COUNTS = (
    b"category,group,wte\n"
    b"disability,Yes,41.2\ndisability,No,790.0\ndisability,Not declared,33.8\n"
    b"ethnicity,White British,700\nethnicity,White Irish,10\nethnicity,Asian,50\n"
    b"ethnicity,Black,30\nethnicity,Mixed,20\nethnicity,Not stated,55\n"
    b"imd_quintile,1,120.5\nimd_quintile,2,200\nimd_quintile,3,250\nimd_quintile,4,150\n"
    b"imd_quintile,5,120.5\nimd_quintile,Not known,24\n"
)
WORKFORCE_KVIS = [
    ("DISABILITY", "workforce_disability", "monthly"),
    ("DISABILITY-Q", "workforce_disability", "quarterly"),
    ("ETHNIC", "workforce_ethnic_minority", "monthly"),
    ("DEPRIVED", "workforce_most_deprived", "annual"),
]


def save_return(cast, content=COUNTS, period=date(2022, 4, 1), name="workforce.csv"):
    with tenant_context(cast.tenant.id):
        return workforce_return_save(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=access_of(cast, cast.organisation_admin),
            organisation=cast.organisation,
            period=period,
            uploaded_file=upload(content, name),
        )


def test_a_workforce_return_feeds_its_kvis_with_exact_figures(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = FeedSetup(cast_a, WORKFORCE_KVIS)
    workforce_return, outcome, report = save_return(cast_a)
    assert (outcome, workforce_return.total_wte) == ("created", D("865.0"))
    total = D("865")
    assert measurements(cast_a, setup.kvis["DISABILITY"]) == [
        ("2022-04-01", D("41.2"), total, "submitted")
    ]
    assert measurements(cast_a, setup.kvis["DISABILITY-Q"]) == [
        ("2022-04-01", D("41.2"), total, "submitted")
    ]
    # Asian, Black and Mixed: not the White groups, not "Not stated".
    assert measurements(cast_a, setup.kvis["ETHNIC"]) == [
        ("2022-04-01", D("100"), total, "submitted")
    ]
    assert measurements(cast_a, setup.kvis["DEPRIVED"]) == [
        ("2022-04-01", D("120.5"), total, "submitted")
    ]
    assert len(report["recorded"]) == 4
    with tenant_context(cast_a.tenant.id):
        m = Measurement.objects.get(kvi=setup.kvis["DISABILITY"])
        assert m.source == "Workforce return workforce.csv"
        assert AuditEvent.objects.filter(verb="workforce_return.fed_kvis").count() == 1


def test_a_return_mid_quarter_feeds_monthly_kvis_only_and_deciles_give_the_most_deprived(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = FeedSetup(
            cast_a,
            [
                ("DISABILITY", "workforce_disability", "monthly"),
                ("DISABILITY-Q", "workforce_disability", "quarterly"),
                ("DEPRIVED", "workforce_most_deprived", "monthly"),
            ],
        )
    deciles = b"category,group,wte\nimd_decile,1,10\nimd_decile,2,15.5\nimd_decile,7,74.5\n"
    _, _, report = save_return(cast_a, deciles, period=date(2022, 5, 1))
    assert measurements(cast_a, setup.kvis["DEPRIVED"]) == [
        ("2022-05-01", D("25.5"), D("100"), "submitted")
    ]
    skipped = {entry["kvi"]: entry["message"] for entry in report["skipped"]}
    assert skipped["DISABILITY"] == "The return has no disability counts."
    assert "does not start a quarterly period" in skipped["DISABILITY-Q"]
    assert measurements(cast_a, setup.kvis["DISABILITY-Q"]) == []


def test_a_replaced_return_leaves_submitted_figures_and_reports_them(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = FeedSetup(cast_a, WORKFORCE_KVIS[:1])
    save_return(cast_a)
    changed = COUNTS.replace(b"disability,Yes,41.2", b"disability,Yes,45.2").replace(
        b"disability,Not declared,33.8", b"disability,Not declared,29.8"
    )
    _, outcome, report = save_return(cast_a, changed, name="workforce-v2.csv")
    assert outcome == "replaced"
    assert [(e["kvi"], e["numerator"], e["current"]) for e in report["needs_correction"]] == [
        ("DISABILITY", "45.2", "41.2 / 865")
    ]
    assert measurements(cast_a, setup.kvis["DISABILITY"]) == [
        ("2022-04-01", D("41.2"), D("865"), "submitted")
    ]
