"""The report API (scope reports:read): reports (metadata, the cover sheet in detail), their
versions (state, progress, hash, size, pages, the download address) and a ready version's PDF;
the scope required, keys restricted to organisations, people with their session by the pages'
rules, another tenant's reports not found, a fixed number of queries, and the schema."""

import hashlib

import pytest

from reporting.models import ReportKind, VersionStatus
from tenancy.context import tenant_context
from tests.reporting_page_builders import (
    PDF,
    draft,
    other_organisation_admin,
    ready_version,
    version,
)

pytestmark = pytest.mark.django_db


def _base(cast) -> str:
    return f"/api/v1/tenants/{cast.tenant.slug}/reports/"


def _get(client, url, key=None, **headers):
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.get(url, **headers)


@pytest.fixture
def reports_a(cast_a):
    """An organisation report with a ready, a failed and a queued version; the other
    organisation's report; and the system report."""
    with tenant_context(cast_a.tenant.id):
        own = draft(cast_a, title="Social value mid-year report")
        ready = ready_version(cast_a, own)
        version(cast_a, own, status=VersionStatus.FAILED, failure_reason="No figures.")
        version(cast_a, own, status=VersionStatus.QUEUED, progress_message="Waiting")
        other = draft(
            cast_a, title="The other trust's report", organisation=cast_a.other_organisation
        )
        system = draft(cast_a, ReportKind.SYSTEM, title="ICS board report")
    return {"own": own, "ready": ready, "other": other, "system": system}


@pytest.fixture
def key_a(cast_a, issue_key):
    return issue_key(cast_a, scopes=["reports:read"])


def test_a_key_with_reports_read_lists_every_report_of_its_tenant(client, cast_a, reports_a, key_a):
    body = _get(client, _base(cast_a), key_a).json()
    assert body["count"] == 3
    titles = [row["title"] for row in body["results"]]
    assert sorted(titles) == [
        "ICS board report",
        "Social value mid-year report",
        "The other trust's report",
    ]
    own = next(r for r in body["results"] if r["id"] == str(reports_a["own"].pk))
    assert own["kind"] == "organisation"
    assert own["organisation"] == {
        "id": str(cast_a.organisation.pk),
        "name": cast_a.organisation.name,
    }
    assert own["assembly"] is None
    assert own["period_end"] == "2022-09-30" and own["data_freeze_date"] == "2022-10-07"
    assert own["meeting"] == "Public Board of Directors" and own["meeting_date"] == "2022-10-19"
    assert own["version_count"] == 3
    assert own["versions_url"].endswith(f"{_base(cast_a)}{reports_a['own'].pk}/versions/")
    kinds = _get(client, _base(cast_a) + "?kind=system", key_a).json()["results"]
    assert [r["title"] for r in kinds] == ["ICS board report"]
    assert _get(client, _base(cast_a) + "?kind=", key_a).status_code == 400


def test_the_detail_carries_the_cover_sheet_and_an_etag(client, cast_a, reports_a, key_a):
    url = f"{_base(cast_a)}{reports_a['own'].pk}/"
    response = _get(client, url, key_a)
    body = response.json()
    assert body["executive_summary"] == "Good progress on local spend."
    assert body["agenda_item"] == "12" and body["action_required"] == "Assure"
    assert body["narratives"] == {}
    again = _get(client, url, key_a, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_versions_list_their_state_and_the_ready_ones_their_download(
    client, cast_a, reports_a, key_a
):
    url = f"{_base(cast_a)}{reports_a['own'].pk}/versions/"
    rows = _get(client, url, key_a).json()["results"]
    assert [r["number"] for r in rows] == [3, 2, 1]
    queued, failed, ready = rows
    assert queued["status"] == "queued" and queued["download_url"] is None
    assert queued["progress_message"] == "Waiting"
    assert failed["status"] == "failed" and failed["failure_reason"] == "No figures."
    assert failed["download_url"] is None
    assert ready["status"] == "ready" and ready["progress"] == 100
    assert ready["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert ready["size"] == len(PDF) and ready["page_count"] == 1
    assert ready["scheduled"] is False and ready["requested_at"]
    assert ready["download_url"].endswith(f"{url}1/download/")
    one = _get(client, f"{url}1/", key_a).json()
    assert one == ready
    assert _get(client, f"{url}9/", key_a).status_code == 404


def test_a_ready_version_downloads_as_pdf_bytes(client, cast_a, reports_a, key_a):
    url = f"{_base(cast_a)}{reports_a['own'].pk}/versions/1/download/"
    for accept in ("*/*", "application/pdf"):
        response = _get(client, url, key_a, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    not_ready = f"{_base(cast_a)}{reports_a['own'].pk}/versions/3/download/"
    for accept in ("*/*", "application/pdf"):
        response = _get(client, not_ready, key_a, HTTP_ACCEPT=accept)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"


def test_the_scope_is_required(client, cast_a, reports_a, issue_key):
    assert _get(client, _base(cast_a)).status_code == 401
    key = issue_key(cast_a, scopes=["anchors:read"])
    own = reports_a["own"].pk
    for url in (
        _base(cast_a),
        f"{_base(cast_a)}{own}/",
        f"{_base(cast_a)}{own}/versions/",
        f"{_base(cast_a)}{own}/versions/1/download/",
    ):
        response = _get(client, url, key)
        assert response.status_code == 403
        assert response.json()["code"] == "missing_scope"


def test_a_key_restricted_to_an_organisation_reads_only_its_reports(
    client, cast_a, reports_a, issue_key
):
    key = issue_key(cast_a, scopes=["reports:read"], organisation_ids=[cast_a.organisation.id])
    rows = _get(client, _base(cast_a), key).json()["results"]
    assert [r["id"] for r in rows] == [str(reports_a["own"].pk)]
    for report in (reports_a["other"], reports_a["system"]):
        assert _get(client, f"{_base(cast_a)}{report.pk}/", key).status_code == 404
        assert _get(client, f"{_base(cast_a)}{report.pk}/versions/", key).status_code == 404


def test_another_tenants_reports_are_not_found_and_its_keys_do_not_work_here(
    client, cast_a, cast_b, reports_a, key_a, issue_key
):
    with tenant_context(cast_b.tenant.id):
        theirs = draft(cast_b)
        ready_version(cast_b, theirs)
    assert _get(client, f"{_base(cast_a)}{theirs.pk}/", key_a).status_code == 404
    assert (
        _get(client, f"{_base(cast_a)}{theirs.pk}/versions/1/download/", key_a).status_code == 404
    )
    assert _get(client, f"{_base(cast_b)}{theirs.pk}/", key_a).status_code == 401
    key_b = issue_key(cast_b, scopes=["reports:read"])
    assert _get(client, _base(cast_a), key_b).status_code == 401
    assert [r["id"] for r in _get(client, _base(cast_b), key_b).json()["results"]] == [
        str(theirs.pk)
    ]


def test_people_with_their_session_read_what_the_pages_show_them(client, login, cast_a, reports_a):
    own = reports_a["own"].pk
    login(cast_a.board_reporter)
    assert _get(client, _base(cast_a)).json()["count"] == 3
    login(cast_a.organisation_admin)
    rows = _get(client, _base(cast_a)).json()["results"]
    assert [r["id"] for r in rows] == [str(own)]
    assert _get(client, f"{_base(cast_a)}{own}/versions/1/download/").status_code == 200
    assert _get(client, f"{_base(cast_a)}{reports_a['system'].pk}/").status_code == 404
    login(other_organisation_admin(cast_a))
    assert [r["id"] for r in _get(client, _base(cast_a)).json()["results"]] == [
        str(reports_a["other"].pk)
    ]
    assert _get(client, f"{_base(cast_a)}{own}/versions/1/download/").status_code == 404
    for user in (cast_a.assessor, cast_a.organisation_member):
        login(user)
        response = _get(client, _base(cast_a))
        assert response.status_code == 403 and response.json()["code"] == "missing_scope"
        assert _get(client, f"{_base(cast_a)}{own}/versions/1/download/").status_code == 403


def test_the_lists_run_a_fixed_number_of_queries(
    client, cast_a, key_a, django_assert_max_num_queries
):
    def add(count):
        with tenant_context(cast_a.tenant.id):
            for number in range(count):
                report = draft(cast_a, title=f"Report {number}")
                ready_version(cast_a, report)
                version(cast_a, report, status=VersionStatus.FAILED)

    add(3)
    with tenant_context(cast_a.tenant.id):
        first = draft(cast_a, title="Many versions")
        for _ in range(3):
            ready_version(cast_a, first)
    versions = f"{_base(cast_a)}{first.pk}/versions/"
    _get(client, _base(cast_a), key_a)
    with django_assert_max_num_queries(10) as few:
        assert _get(client, _base(cast_a), key_a).json()["count"] == 4
    with django_assert_max_num_queries(10) as few_versions:
        assert _get(client, versions, key_a).json()["count"] == 3
    add(27)
    with tenant_context(cast_a.tenant.id):
        for _ in range(27):
            ready_version(cast_a, first)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _get(client, _base(cast_a), key_a).json()["count"] == 31
    with django_assert_max_num_queries(len(few_versions.captured_queries)):
        assert _get(client, versions, key_a).json()["count"] == 30


def test_the_schema_documents_the_report_resources(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/tenants/{tenant_slug}/reports/",
        "/api/v1/tenants/{tenant_slug}/reports/{report_id}/",
        "/api/v1/tenants/{tenant_slug}/reports/{report_id}/versions/",
        "/api/v1/tenants/{tenant_slug}/reports/{report_id}/versions/{number}/",
        "/api/v1/tenants/{tenant_slug}/reports/{report_id}/versions/{number}/download/",
    ):
        assert path in schema
    assert "application/pdf" in schema
    assert "ReportKindEnum" in schema and "ReportVersionStatusEnum" in schema
