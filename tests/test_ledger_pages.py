"""The spend-ledger pages: uploading (organisation admins only), the background job and its
progress, the results of the sample ledgers, who sees supplier-level rows, isolation and the
number of queries of the list."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from kvi import services
from kvi.models import ImportJob, LedgerStatus, SpendLedgerImport
from kvi.upload_tasks import (
    LedgerStage,
    _progress_key,
    _progress_publish,
    spend_ledger_import_task,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tests import factories
from tests.postcode_files import (
    CLEAN_LEDGER,
    ERRORS_LEDGER,
    MESSY_LEDGER,
    write_fixed_errors_ledger,
)
from tests.test_kvi_feeds import (
    LEDGER_KVIS,
    FeedSetup,
    access_of,
    load_release,
    make_local_area,
    upload,
)
from uploads.storage import exists_private

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(cast_a):
    load_release()
    return make_local_area(cast_a)


def _url(cast, path="", organisation=None):
    organisation = organisation or cast.organisation
    return f"/t/{cast.tenant.slug}/kvis/organisations/{organisation.pk}/spend-ledgers/{path}"


def _count(cast, model, **filters):
    with tenant_context(cast.tenant.id):
        return model.objects.filter(**filters).count()


def _post_ledger(client, cast, path, area, capture, name=None):
    """POST a ledger through the page; the job runs when the request's transaction commits."""
    with capture(execute=True):
        response = client.post(
            _url(cast, "upload/"), {"file": upload(path, name), "local_area": str(area.pk)}
        )
    return response


def _other_org_admin(cast):
    user = factories.UserFactory()
    with tenant_context(cast.tenant.id):
        factories.MembershipFactory(
            tenant=cast.tenant,
            user=user,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast.other_organisation,
        )
    return user


def _ledger(cast, job):
    with tenant_context(cast.tenant.id):
        return SpendLedgerImport.objects.get(pk=job.summary["spend_ledger_import"])


def _job(cast):
    with tenant_context(cast.tenant.id):
        return ImportJob.objects.get()


# --- Uploading and the results -------------------------------------------------------------------


@pytest.mark.parametrize("ledger", [CLEAN_LEDGER, MESSY_LEDGER], ids=["clean", "messy"])
def test_the_organisation_admin_uploads_a_ledger_and_sees_13_09_local_spend(
    cast_a, area, login, django_capture_on_commit_callbacks, ledger
):
    client = login(cast_a.organisation_admin)
    page = client.get(_url(cast_a, "upload/"))
    assert page.status_code == 200
    # The tenant's only local area is chosen already.
    assert f'value="{area.pk}" checked' in page.content.decode()

    response = _post_ledger(client, cast_a, ledger, area, django_capture_on_commit_callbacks)
    job = _job(cast_a)
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, f"jobs/{job.pk}/")
    assert job.status == "imported" and job.total_rows == 2000
    assert not exists_private(job.storage_key)  # supplier rows are not kept
    assert cache.get(_progress_key(job.pk)) is None

    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and 'http-equiv="refresh"' not in page
    ledger_url = _url(cast_a, f"{job.summary['spend_ledger_import']}/")
    assert ledger_url in page

    page = client.get(ledger_url).content.decode()
    results = _ledger(cast_a, job).results
    for fact in (
        "<strong>13.09%</strong> (£3,272,500.00)",
        "£25,000,000.00",
        "1 April 2022 to 30 September 2022",
        "ONSPD sample",
        "IoD2019 (32,844 areas ranked)",
        "E08000015",
        "11.88%",
        f"{results['sme_percent']}% (£",
        f"{results['vcse_percent']}% (£",
        "September 2022",
    ):
        assert fact in page, fact
    assert "Ltd" not in page  # no supplier names


def test_a_refused_ledger_names_rows_12_and_24_to_the_organisation_only(
    cast_a, area, login, django_capture_on_commit_callbacks
):
    client = login(cast_a.organisation_admin)
    _post_ledger(client, cast_a, ERRORS_LEDGER, area, django_capture_on_commit_callbacks)
    job = _job(cast_a)
    assert (job.status, [e["row"] for e in job.errors]) == ("refused", [12, 24])
    page = client.get(_url(cast_a, f"jobs/{job.pk}/")).content.decode()
    assert "2 problems need fixing" in page
    url = _url(cast_a, f"{job.summary['spend_ledger_import']}/")
    page = client.get(url).content.decode()
    assert page.count('<span class="nhsuk-table-responsive__heading">Row </span>12<') == 1
    assert '<span class="nhsuk-table-responsive__heading">Row </span>24<' in page
    assert "twelve pounds" in page and "2022-13-45" in page

    page = login(cast_a.board_reporter).get(url).content.decode()
    assert "The file was not imported" in page
    assert "twelve pounds" not in page and "2022-13-45" not in page


def test_unresolved_and_terminated_rows_are_shown_to_the_organisation_only(
    cast_a, area, login, django_capture_on_commit_callbacks, tmp_path
):
    client = login(cast_a.organisation_admin)
    fixed = write_fixed_errors_ledger(tmp_path)
    _post_ledger(client, cast_a, fixed, area, django_capture_on_commit_callbacks)
    url = _url(cast_a, f"{_job(cast_a).summary['spend_ledger_import']}/")

    def rows(page, caption):
        table = page.split(caption)[1].split("</table>")[0]
        return [
            int(cell.split("<")[0])
            for cell in table.split('<span class="nhsuk-table-responsive__heading">Row </span>')[1:]
        ]

    for who in (cast_a.organisation_admin, cast_a.organisation_member):
        page = login(who).get(url).content.decode()
        assert rows(page, "Postcodes that could not be placed") == [4, 20, 30]
        assert rows(page, "Terminated postcodes (placed") == [8]
        assert "ZZ99 9ZZ" in page and "CH41 0UN" in page
    for who in (cast_a.board_reporter, cast_a.assessor, cast_a.tenant_admin):
        page = login(who).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "3 rows" in text and "1 row (still placed" in text  # the aggregates
        assert "Rows to check" not in text
        assert "ZZ99 9ZZ" not in text and "CH41 0UN" not in text


def test_the_same_file_again_shows_the_first_import(
    cast_a, area, login, django_capture_on_commit_callbacks
):
    client = login(cast_a.organisation_admin)
    _post_ledger(client, cast_a, CLEAN_LEDGER, area, django_capture_on_commit_callbacks)
    first = _job(cast_a)
    again = _post_ledger(
        client, cast_a, CLEAN_LEDGER, area, django_capture_on_commit_callbacks, name="copy.csv"
    )
    assert again["Location"] == _url(cast_a, f"{first.summary['spend_ledger_import']}/")
    assert _count(cast_a, ImportJob) == 1 and _count(cast_a, SpendLedgerImport) == 1
    assert "already uploaded" in client.get(again["Location"]).content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is a PNG image, judged from its content"),
        (b"", "The submitted file is empty."),
    ],
)
def test_files_that_are_not_csv_are_refused_on_the_form(cast_a, area, login, content, message):
    client = login(cast_a.organisation_admin)
    response = client.post(
        _url(cast_a, "upload/"),
        {"file": upload(content, "ledger.csv"), "local_area": str(area.pk)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _count(cast_a, ImportJob) == 0


def test_a_file_over_the_size_cap_is_refused(cast_a, area, login, monkeypatch):
    assert services.LEDGER_MAX_BYTES == 200 * 1024 * 1024
    monkeypatch.setattr(services, "LEDGER_MAX_BYTES", 1000)
    response = login(cast_a.organisation_admin).post(
        _url(cast_a, "upload/"), {"file": upload(CLEAN_LEDGER), "local_area": str(area.pk)}
    )
    assert "is larger than 1000 bytes" in response.content.decode()
    assert _count(cast_a, ImportJob) == 0


def test_without_a_local_area_the_page_says_so(cast_a, login):
    load_release()
    page = login(cast_a.organisation_admin).get(_url(cast_a, "upload/")).content.decode()
    assert "The programme has no local area yet" in page and "<form" not in page.split("<main")[1]


# --- Who may upload and see --------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "organisation_member",
        "board_reporter",
        "assessor",
        "tenant_admin",
        "other_org_admin",
        "outsider",
        "tenant_b",
    ],
)
def test_only_the_organisation_admin_may_upload(cast_a, cast_b, area, login, who):
    user = {"other_org_admin": _other_org_admin(cast_a), "tenant_b": cast_b.organisation_admin}.get(
        who
    ) or getattr(cast_a, who)
    client = login(user)
    assert client.get(_url(cast_a, "upload/")).status_code == 403
    response = client.post(
        _url(cast_a, "upload/"), {"file": upload(CLEAN_LEDGER), "local_area": str(area.pk)}
    )
    assert response.status_code == 403
    assert _count(cast_a, ImportJob) == 0
    assert _count(cast_a, AuditEvent, verb="spend_ledger.uploaded") == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organisation_admin", 200),
        ("organisation_member", 200),
        ("board_reporter", 200),
        ("tenant_admin", 200),
        ("other_org_admin", 403),
        ("outsider", 403),
        ("tenant_b", 403),
    ],
)
def test_who_may_see_the_ledgers(cast_a, cast_b, area, login, who, status):
    user = {"other_org_admin": _other_org_admin(cast_a), "tenant_b": cast_b.tenant_admin}.get(
        who
    ) or getattr(cast_a, who)
    client = login(user)
    assert client.get(_url(cast_a)).status_code == status


def test_tenant_b_cannot_reach_tenant_a_ledgers_through_its_own_address(
    cast_a, cast_b, area, login, django_capture_on_commit_callbacks
):
    _post_ledger(
        login(cast_a.organisation_admin),
        cast_a,
        CLEAN_LEDGER,
        area,
        django_capture_on_commit_callbacks,
    )
    job = _job(cast_a)
    client = login(cast_b.tenant_admin)
    for path in (
        "",
        f"jobs/{job.pk}/",
        f"{job.summary['spend_ledger_import']}/",
        "upload/",
    ):
        assert client.get(_url(cast_b, path, cast_a.organisation)).status_code == 404
    # Nor through tenant B's own organisation: the ids are not tenant B's.
    own = f"/t/{cast_b.tenant.slug}/kvis/organisations/{cast_b.organisation.pk}/spend-ledgers/"
    assert client.get(f"{own}jobs/{job.pk}/").status_code == 404
    assert client.get(f"{own}{job.summary['spend_ledger_import']}/").status_code == 404
    # And the task, run for tenant B, does not find tenant A's job.
    assert spend_ledger_import_task.apply(args=[str(cast_b.tenant.id), str(job.pk)]).get() == (
        "skipped"
    )


# --- The job and its progress ------------------------------------------------------------------


def _queued_job(cast, area, path=CLEAN_LEDGER):
    """A job uploaded but not yet run (its task is not started)."""
    with tenant_context(cast.tenant.id):
        return services.spend_ledger_upload(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=access_of(cast, cast.organisation_admin),
            organisation=cast.organisation,
            uploaded_file=upload(path),
            local_area=area,
        ).job


def test_the_job_page_shows_progress_published_while_the_task_runs(
    cast_a, area, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = _queued_job(cast_a, area)
    assert len(queued) == 1  # the task is queued once the upload commits
    client = login(cast_a.organisation_admin)
    url = _url(cast_a, f"jobs/{job.pk}/")
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "waiting for its turn" in page

    # What the worker publishes while its transaction is open (invisible in the database).
    _progress_publish(job, LedgerStage.CHECKING, rows=2000, started=job.created_at)
    page = client.get(url).content.decode()
    assert "finding each supplier&#x27;s postcode (about 2,000 rows)" in page
    assert "Step 1 of 2" in page and '<meta http-equiv="refresh"' in page

    # The real run publishes its stages to Redis; left uncommitted here, the last one remains.
    with django_capture_on_commit_callbacks(execute=False):
        assert spend_ledger_import_task.apply(args=[str(cast_a.tenant.id), str(job.pk)]).get() == (
            "imported"
        )
    assert cache.get(_progress_key(job.pk))["stage"] == "feeding"
    assert cache.get(_progress_key(job.pk))["rows"] == 2000
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh"' not in page and "See the results" in page


def test_the_task_is_idempotent(cast_a, area):
    job = _queued_job(cast_a, area)
    args = [str(cast_a.tenant.id), str(job.pk)]
    assert spend_ledger_import_task.apply(args=args).get() == "imported"
    assert spend_ledger_import_task.apply(args=args).get() == "skipped"
    assert _count(cast_a, SpendLedgerImport) == 1
    assert _count(cast_a, AuditEvent, verb="spend_ledger.imported") == 1


def test_a_job_that_fails_says_why_on_its_page(cast_a, area, login):
    job = _queued_job(cast_a, area)
    with tenant_context(cast_a.tenant.id):
        ImportJob.objects.filter(pk=job.pk).update(
            summary={"local_area": "00000000-0000-0000-0000-000000000000"}
        )
    assert spend_ledger_import_task.apply(args=[str(cast_a.tenant.id), str(job.pk)]).get() == (
        "failed"
    )
    page = login(cast_a.organisation_admin).get(_url(cast_a, f"jobs/{job.pk}/")).content.decode()
    assert "The import did not work" in page
    assert "The local area chosen for this ledger no longer exists." in page
    assert _count(cast_a, SpendLedgerImport) == 0
    assert _count(cast_a, AuditEvent, verb="spend_ledger.failed") == 1


def test_the_result_page_shows_the_kvi_figures_and_records_missing_ones(
    cast_a, area, login, django_capture_on_commit_callbacks
):
    client = login(cast_a.organisation_admin)
    _post_ledger(client, cast_a, CLEAN_LEDGER, area, django_capture_on_commit_callbacks)
    with tenant_context(cast_a.tenant.id):
        setup = FeedSetup(cast_a, LEDGER_KVIS[:1])  # a KVI set up after the import
    ledger_id = _job(cast_a).summary["spend_ledger_import"]
    page = client.get(_url(cast_a, f"{ledger_id}/")).content.decode()
    assert page.count("Not recorded</strong>") == 6
    response = client.post(_url(cast_a, f"{ledger_id}/feed/"))
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert setup.kvis["LOCAL-M"].measurements.count() == 6
    page = client.get(_url(cast_a, f"{ledger_id}/")).content.decode()
    assert page.count("Recorded</strong> submitted") == 6
    # Only the organisation's admins may record them.
    assert login(cast_a.organisation_member).post(
        _url(cast_a, f"{ledger_id}/feed/")
    ).status_code == (403)


# --- Queries ----------------------------------------------------------------------------------


def _add_ledgers(cast, area, release, n, start):
    with tenant_context(cast.tenant.id):
        for i in range(start, start + n):
            SpendLedgerImport.objects.create(
                tenant=cast.tenant,
                organisation=cast.organisation,
                file_name=f"ledger-{i}.csv",
                file_sha256=f"{i:064d}",
                status=LedgerStatus.IMPORTED,
                period_start=date(2022, 4, 1),
                period_end=date(2022, 9, 30),
                release=release,
                local_area=area,
                results={"local_percent": "13.09", "total_spend": str(Decimal(i))},
                uploaded_by=cast.organisation_admin,
            )
            ImportJob.objects.create(
                tenant=cast.tenant,
                kind="spend_ledger",
                organisation=cast.organisation,
                storage_key=f"k{i}",
                file_name=f"failed-{i}.csv",
                file_sha256=f"{i:064d}",
                status="failed",
                created_by=cast.organisation_admin,
            )


def test_the_list_takes_the_same_number_of_queries_whatever_its_length(
    cast_a, login, django_assert_max_num_queries
):
    release = load_release()
    area = make_local_area(cast_a)
    client = login(cast_a.organisation_admin)
    counts = []
    for start, n in ((0, 1), (1, 6)):
        _add_ledgers(cast_a, area, release, n, start)
        # Sign-in, tenant and membership look-ups, then the organisation, the count, the page
        # of ledgers and the unfinished jobs.
        with django_assert_max_num_queries(16) as queries:
            page = client.get(_url(cast_a))
        assert page.status_code == 200
        counts.append(len(queries))
    assert "7 ledgers" in page.content.decode()
    assert counts[0] == counts[1]


def test_the_result_page_takes_the_same_number_of_queries_whatever_the_kvis(
    cast_a, area, login, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = login(cast_a.organisation_admin)
    _post_ledger(client, cast_a, CLEAN_LEDGER, area, django_capture_on_commit_callbacks)
    url = _url(cast_a, f"{_job(cast_a).summary['spend_ledger_import']}/")
    counts = []
    for number, kvis in enumerate((LEDGER_KVIS[:1], LEDGER_KVIS[1:])):
        with tenant_context(cast_a.tenant.id):
            FeedSetup(cast_a, kvis, name=f"Framework {number}")
        with django_assert_max_num_queries(16) as queries:
            page = client.get(url)
        assert page.status_code == 200
        counts.append(len(queries))
    kvi_cell = '<span class="nhsuk-table-responsive__heading">KVI </span>'
    assert page.content.decode().count(kvi_cell) == 11  # 6 months, 2 quarters, 3 not fed
    assert counts[0] == counts[1]
