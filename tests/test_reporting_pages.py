"""The board report pages: the list (search, kind, pages, empty state, who sees it), starting a
report, the draft form (cover sheet, action required from the tenant's list, a narrative per
theme, KVIs to chart; errors named by field), generating (a version queued, its progress page
and JSON, the PDF once produced), downloading (the people who may see the report, nobody
else), trying a failed version again, deleting a draft, schedules, the reporting settings and
the KVI spreadsheet. Every page of another programme's report is 404; a report of this
programme that the person may not see is 403."""

import hashlib
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import tasks
from reporting.models import (
    Report,
    ReportingSettings,
    ReportKind,
    ReportSchedule,
    ReportVersion,
    VersionStatus,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests import reporting_builders as kvi_builders
from tests.reporting_page_builders import (
    draft,
    other_organisation_admin,
    ready_version,
    version,
)

pytestmark = pytest.mark.django_db


def _url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _report(cast, kind=ReportKind.ORGANISATION, **fields) -> Report:
    with tenant_context(cast.tenant.id):
        return draft(cast, kind, **fields)


def _versions(cast, report) -> list[ReportVersion]:
    with tenant_context(cast.tenant.id):
        return list(ReportVersion.objects.filter(report=report).order_by("number"))


# --- The list ----------------------------------------------------------------------------------


def test_the_reports_item_is_in_the_navigation_for_those_who_may_see_reports(client, login, cast_a):
    login(cast_a.board_reporter)
    home = _page(client.get(_url(cast_a, "tenant_home")))
    assert f'href="{_url(cast_a, "report_list")}"' in home
    login(cast_a.organisation_admin)
    assert f'href="{_url(cast_a, "report_list")}"' in _page(client.get(_url(cast_a, "tenant_home")))
    login(cast_a.assessor)
    assert f'href="{_url(cast_a, "report_list")}"' not in _page(
        client.get(_url(cast_a, "tenant_home"))
    )


def test_the_list_refuses_people_who_may_see_no_report(client, login, cast_a):
    for user in (cast_a.assessor, cast_a.organisation_member, cast_a.outsider):
        login(user)
        assert client.get(_url(cast_a, "report_list")).status_code == 403


def test_the_list_searches_filters_and_shows_the_latest_pdf(client, login, cast_a):
    mid_year = _report(cast_a, title="Social value mid-year report")
    system = _report(cast_a, ReportKind.SYSTEM, title="ICS partnership board report")
    with tenant_context(cast_a.tenant.id):
        version(cast_a, mid_year, status=VersionStatus.FAILED)
        ready_version(cast_a, mid_year)
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_list")))
    assert "2 reports" in page
    assert "Social value mid-year report" in page and "ICS partnership board report" in page
    assert "Version 2" in page and "Ready" in page
    assert "Draft, not generated yet" in page
    assert 'href="{}"'.format(_url(cast_a, "report_create")) in page

    found = _page(client.get(_url(cast_a, "report_list"), {"q": "partnership"}))
    assert "ICS partnership board report" in found and "mid-year" not in found
    by_kind = _page(client.get(_url(cast_a, "report_list"), {"kind": "organisation"}))
    assert "mid-year" in by_kind and "ICS partnership" not in by_kind
    by_org = _page(client.get(_url(cast_a, "report_list"), {"q": cast_a.organisation.name}))
    assert "mid-year" in by_org and "ICS partnership" not in by_org
    none = _page(client.get(_url(cast_a, "report_list"), {"q": "nothing like it"}))
    assert "No reports match your search." in none
    assert str(system.pk) not in none


def test_an_empty_programme_says_so_and_offers_to_prepare_one(client, login, cast_a):
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_list")))
    assert "There are no reports yet." in page
    assert "Prepare a report" in page


def test_the_list_is_paginated(client, login, cast_a):
    with tenant_context(cast_a.tenant.id):
        for number in range(27):
            draft(cast_a, ReportKind.SYSTEM, title=f"Report {number:02d}")
    login(cast_a.tenant_admin)
    first = _page(client.get(_url(cast_a, "report_list")))
    assert "27 reports (page 1 of 2)" in first
    assert 'aria-label="Page 2"' in first
    second = _page(client.get(_url(cast_a, "report_list"), {"page": 2}))
    assert "(page 2 of 2)" in second
    assert second.count('<tr class="nhsuk-table__row">') == 1 + 2  # the heading and 2 reports
    kinds = _page(client.get(_url(cast_a, "report_list"), {"kind": "system", "page": 2}))
    assert "kind=system&amp;page=1" in kinds


def test_an_organisation_admin_sees_only_their_organisations_reports(client, login, cast_a):
    _report(cast_a, title="Our own report")
    _report(cast_a, title="The other trust's report", organisation=cast_a.other_organisation)
    _report(cast_a, ReportKind.SYSTEM, title="The system report")
    login(cast_a.organisation_admin)
    page = _page(client.get(_url(cast_a, "report_list")))
    assert "Our own report" in page
    assert "other trust" not in page and "The system report" not in page
    assert "Reporting settings" not in page


def test_the_list_reads_a_fixed_number_of_queries(
    client, login, cast_a, django_assert_max_num_queries
):
    def add(count):
        with tenant_context(cast_a.tenant.id):
            for number in range(count):
                report = draft(cast_a, title=f"Report {number}")
                ready_version(cast_a, report)

    add(3)
    login(cast_a.board_reporter)
    with django_assert_max_num_queries(20) as few:
        _page(client.get(_url(cast_a, "report_list")))
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "30 reports" in _page(client.get(_url(cast_a, "report_list")))


# --- Starting a report -------------------------------------------------------------------------


def test_a_board_reporter_starts_an_organisation_report(client, login, cast_a):
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_create")))
    for label in ("Organisation social value report", "System report", "Anchor Assembly pack"):
        assert label in page
    response = client.post(
        _url(cast_a, "report_create"),
        {"kind": "organisation", "organisation": str(cast_a.organisation.pk), "title": ""},
    )
    with tenant_context(cast_a.tenant.id):
        report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, "report_edit", report.pk)
    assert report.kind == ReportKind.ORGANISATION
    assert report.organisation == cast_a.organisation
    assert report.title == "Social value report"
    assert report.created_by == cast_a.board_reporter
    assert report.action_required == "Approve"


def test_starting_a_report_names_what_is_missing(client, login, cast_a):
    login(cast_a.tenant_admin)
    page = _page(client.post(_url(cast_a, "report_create"), {"kind": "organisation"}))
    assert "There is a problem" in page
    assert '<a href="#id_organisation">Choose the organisation the report is about.</a>' in page
    page = _page(client.post(_url(cast_a, "report_create"), {"kind": "assembly"}))
    assert '<a href="#id_assembly">Choose the assembly the pack is for.</a>' in page
    page = _page(client.post(_url(cast_a, "report_create"), {}))
    assert "Choose what kind of report to prepare." in page
    assert page.count("<title>Error: ") == 1
    with tenant_context(cast_a.tenant.id):
        assert not Report.objects.exists()


def test_a_tenant_admin_starts_an_assembly_pack_for_an_assembly(client, login, cast_a):
    from datetime import date

    from anchors import services as anchor_services
    from tests.anchors_builders import anchor_charter
    from tests.anchors_builders import as_user as anchor_user

    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        assembly = anchor_services.assembly_create(
            **anchor_user(cast_a, cast_a.tenant_admin),
            charter=charter,
            held_on=date(2023, 7, 12),
            title="First Anchor Assembly",
        )
    login(cast_a.tenant_admin)
    page = _page(client.get(_url(cast_a, "report_create")))
    assert "First Anchor Assembly (12 July 2023)" in page
    client.post(
        _url(cast_a, "report_create"),
        {"kind": "assembly", "assembly": str(assembly.pk), "organisation": ""},
    )
    with tenant_context(cast_a.tenant.id):
        report = Report.objects.get()
    assert report.kind == ReportKind.ASSEMBLY and report.assembly_id == assembly.pk
    assert report.organisation_id is None
    assert report.meeting == "First Anchor Assembly"
    assert report.title == "Anchor Assembly progress pack"


def test_an_organisation_admin_starts_reports_about_their_own_organisation_only(
    client, login, cast_a
):
    login(cast_a.organisation_admin)
    page = _page(client.get(_url(cast_a, "report_create")))
    assert cast_a.organisation.name in page
    assert cast_a.other_organisation.name not in page
    assert "System report" not in page
    refused = _page(
        client.post(
            _url(cast_a, "report_create"),
            {"kind": "organisation", "organisation": str(cast_a.other_organisation.pk)},
        )
    )
    assert "Choose the organisation the report is about." in refused
    system = _page(client.post(_url(cast_a, "report_create"), {"kind": "system"}))
    assert "Select a valid choice" in system or "There is a problem" in system
    with tenant_context(cast_a.tenant.id):
        assert not Report.objects.exists()
    client.post(
        _url(cast_a, "report_create"),
        {"kind": "organisation", "organisation": str(cast_a.organisation.pk)},
    )
    with tenant_context(cast_a.tenant.id):
        assert Report.objects.get().organisation == cast_a.organisation


def test_people_who_may_not_prepare_reports_cannot_start_one(client, login, cast_a):
    for user in (cast_a.assessor, cast_a.organisation_member):
        login(user)
        assert client.get(_url(cast_a, "report_create")).status_code == 403
        assert client.post(_url(cast_a, "report_create"), {"kind": "system"}).status_code == 403
    with tenant_context(cast_a.tenant.id):
        assert not Report.objects.exists()


# --- A report's page ---------------------------------------------------------------------------


def test_the_report_page_shows_the_cover_sheet_versions_and_actions(client, login, cast_a):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        ready = ready_version(cast_a, report)
        failed = version(
            cast_a, report, status=VersionStatus.FAILED, failure_reason="The figures broke."
        )
        running = version(
            cast_a,
            report,
            status=VersionStatus.RUNNING,
            progress=40,
            progress_message="Laying out the pages",
        )
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_detail", report.pk)))
    assert "Public Board of Directors, 19 October 2022" in page
    assert "Good progress on local spend." in page
    assert "Generate PDF" in page and "Edit the draft" in page
    assert ready.sha256[:12] in page
    assert _url(cast_a, "report_version_download", report.pk, ready.number) in page
    assert "The figures broke." in page
    assert _url(cast_a, "report_version_retry", report.pk, failed.number) in page
    assert f"Version {running.number} is being produced (40%: Laying out the pages)" in page
    assert _url(cast_a, "report_kvi_xlsx", report.pk) in page
    assert "Delete this draft" not in page  # it has versions
    assert "Add a schedule" not in page  # board reporters do not schedule


def test_the_report_page_reads_a_fixed_number_of_queries(
    client, login, cast_a, django_assert_max_num_queries
):
    report = _report(cast_a)

    def add(ready, failed):
        with tenant_context(cast_a.tenant.id):
            for _ in range(ready):
                ready_version(cast_a, report)
            for _ in range(failed):
                version(cast_a, report, status=VersionStatus.FAILED, failure_reason="No.")
            ReportSchedule.objects.create(
                tenant=cast_a.tenant,
                report=report,
                frequency="monthly",
                recipient=cast_a.board_reporter,
                next_run_on="2099-01-01",
            )

    add(2, 1)  # 3 versions
    login(cast_a.tenant_admin)
    with django_assert_max_num_queries(20) as few:
        _page(client.get(_url(cast_a, "report_detail", report.pk)))
    add(13, 14)  # 30 versions
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _page(client.get(_url(cast_a, "report_detail", report.pk)))
    assert page.count("Try again") == 15
    assert page.count("Remove<span") == 2


@pytest.mark.parametrize("name", ["report_detail", "report_edit", "report_delete"])
def test_a_report_seen_but_not_theirs_is_refused_and_another_programmes_is_not_found(
    client, login, cast_a, cast_b, name
):
    report = _report(cast_a)
    login(other_organisation_admin(cast_a))
    assert client.get(_url(cast_a, name, report.pk)).status_code == 403
    login(cast_a.assessor)
    assert client.get(_url(cast_a, name, report.pk)).status_code == 403
    other = _report(cast_b)
    login(cast_a.tenant_admin)
    assert client.get(_url(cast_a, name, other.pk)).status_code == 404
    login(cast_b.tenant_admin)  # not a member of tenant A
    assert client.get(_url(cast_a, name, report.pk)).status_code == 403


# --- The draft ---------------------------------------------------------------------------------


def test_the_draft_form_offers_the_tenants_actions_themes_and_kvis(client, login, cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_builders.kvi_setup(cast_a)
        ReportingSettings.objects.create(tenant=cast_a.tenant, actions=["Approve", "Ratify"])
        report = draft(cast_a, action_required="Approve")
    login(cast_a.organisation_admin)
    page = _page(client.get(_url(cast_a, "report_edit", report.pk)))
    assert re.search(r'type="radio" value="Ratify"', page)
    assert 'value="Assure"' not in page
    assert '<label class="nhsuk-label nhsuk-label--s" for="id_narrative_0">' in page
    assert "Economic" in page and "Wellbeing" in page
    for kvi in setup.kvis.values():
        assert f'value="{kvi.pk}"' in page
    assert 'value="30/9/2022"' in page and 'value="19/10/2022"' in page


def _draft_post(report, **changes):
    data = {
        "title": report.title,
        "period_end": "30/09/2022",
        "data_freeze_date": "07/10/2022",
        "meeting": "Public Board of Directors",
        "meeting_date": "19/10/2022",
        "agenda_item": "12",
        "enclosure": "E",
        "lead_director": "Anthony Bennett, Chief Strategy Officer",
        "authors": "David Hammond",
        "action_required": "Assure",
        "purpose": "To assure the board on social value.",
        "executive_summary": "A new summary.",
        "recommendation": "The board is asked to note the report.",
        "risks_and_opportunities": "",
        "board_assurance_framework": "BAF 3",
        "quality_and_equality_impact": "",
        "financial_implications": "",
        "strategic_objectives": "",
        "report_history": "",
    }
    data.update(changes)
    return data


def test_saving_the_draft_keeps_the_cover_sheet_narratives_and_charts(client, login, cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_builders.kvi_setup(cast_a)
        report = draft(cast_a, narratives={"Retired theme": "Kept."})
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_edit", report.pk)))
    labels = re.findall(r'for="(id_narrative_\d)">\s*([^<(]+?)\s*(?:\(optional\))?\s*<', page)
    themes = {label: field for field, label in labels}
    assert set(themes) == {"Economic", "Wellbeing", "Retired theme"}
    spend, hours = setup.kvis["SPEND"], setup.kvis["HOURS"]
    response = client.post(
        _url(cast_a, "report_edit", report.pk),
        _draft_post(
            report,
            **{
                themes["Economic"][3:]: "Local spend rose to 13%.",
                themes["Wellbeing"][3:]: "",
                themes["Retired theme"][3:]: "Kept.",
                "chart_kvi_ids": [str(spend.pk), str(hours.pk)],
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, "report_detail", report.pk)
    with tenant_context(cast_a.tenant.id):
        report.refresh_from_db()
        assert AuditEvent.objects.filter(verb="report.updated", object_id=str(report.pk)).exists()
    assert report.executive_summary == "A new summary."
    assert report.enclosure == "E"
    assert report.meeting_date.isoformat() == "2022-10-19"
    assert report.narratives == {"Economic": "Local spend rose to 13%.", "Retired theme": "Kept."}
    assert sorted(report.chart_kvi_ids) == sorted([str(spend.pk), str(hours.pk)])


def test_the_draft_names_each_field_in_error_and_changes_nothing(client, login, cast_a):
    report = _report(cast_a)
    login(cast_a.board_reporter)
    page = _page(
        client.post(
            _url(cast_a, "report_edit", report.pk),
            _draft_post(report, title="", meeting_date="31/02/2022", action_required="Veto"),
        )
    )
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert '<a href="#id_title">Enter the report&#x27;s title.</a>' in page
    assert "Enter the date of the meeting as day/month/year" in page
    assert '<a href="#id_action_required_0">Choose the action required from the list.</a>' in page
    # The service's rule, shown against its field.
    page = _page(
        client.post(
            _url(cast_a, "report_edit", report.pk),
            _draft_post(report, data_freeze_date="29/09/2022"),
        )
    )
    assert '<a href="#id_data_freeze_date">The data freeze date must be on or after' in page
    assert (
        'class="nhsuk-input nhsuk-input--error nhsuk-input--width-10" id="id_data_freeze_date"'
        in page
    )
    with tenant_context(cast_a.tenant.id):
        report.refresh_from_db()
    assert report.executive_summary == "Good progress on local spend."


def test_a_report_without_themes_has_one_narrative_box(client, login, cast_a):
    report = _report(cast_a, ReportKind.SYSTEM)
    login(cast_a.tenant_admin)
    page = _page(client.get(_url(cast_a, "report_edit", report.pk)))
    assert 'for="id_narrative_0"' in page and 'for="id_narrative_1"' not in page
    assert "KVIs to chart" not in page
    client.post(
        _url(cast_a, "report_edit", report.pk),
        _draft_post(report, narrative_0="The system is improving."),
    )
    with tenant_context(cast_a.tenant.id):
        report.refresh_from_db()
    assert report.narratives == {"Narrative": "The system is improving."}


def test_people_who_may_not_prepare_the_report_cannot_save_it(client, login, cast_a):
    report = _report(cast_a)
    for user in (other_organisation_admin(cast_a), cast_a.assessor, cast_a.organisation_member):
        login(user)
        response = client.post(
            _url(cast_a, "report_edit", report.pk), _draft_post(report, title="Hijacked")
        )
        assert response.status_code == 403
    with tenant_context(cast_a.tenant.id):
        report.refresh_from_db()
    assert report.title == "Social value mid-year report"


# --- Generating, progress and download -------------------------------------------------------


def test_generate_queues_a_version_and_shows_its_progress(client, login, cast_a):
    report = _report(cast_a)
    login(cast_a.board_reporter)
    response = client.post(_url(cast_a, "report_generate", report.pk))
    [queued] = _versions(cast_a, report)
    assert queued.status == VersionStatus.QUEUED and queued.number == 1
    assert queued.requested_by == cast_a.board_reporter
    status = _url(cast_a, "report_version_status", report.pk, 1)
    assert response.status_code == 302 and response["Location"] == status
    # Pressing again while it waits gives the same version.
    assert client.post(_url(cast_a, "report_generate", report.pk))["Location"] == status
    assert len(_versions(cast_a, report)) == 1

    page = _page(client.get(status))
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'role="status" aria-live="polite"' in page
    assert '<progress id="report-progress-bar"' in page
    assert "0% done: Waiting for a worker" in page
    assert "js/report-progress.js" in page
    assert (
        'data-progress-url="{}"'.format(_url(cast_a, "report_version_progress", report.pk, 1))
        in page
    )
    progress = client.get(_url(cast_a, "report_version_progress", report.pk, 1)).json()
    assert progress["status"] == "queued" and progress["progress"] == 0
    assert progress["message"] == "Waiting for a worker"
    assert progress["download_url"] is None
    assert client.get(_url(cast_a, "report_version_download", report.pk, 1)).status_code == 404


def test_generate_produces_the_pdf_once_the_request_commits(
    client, login, cast_a, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_builders.kvi_setup(cast_a)
        kvi_builders.standard_figures(setup)
        report = draft(cast_a, data_freeze_date=timezone.localdate())
    login(cast_a.board_reporter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(cast_a, "report_generate", report.pk))
    [ready] = _versions(cast_a, report)
    assert ready.status == VersionStatus.READY
    assert ready.storage_key == tasks.pdf_key(ready)
    page = _page(client.get(_url(cast_a, "report_version_status", report.pk, 1)))
    assert "The PDF is ready." in page and "http-equiv" not in page
    progress = client.get(_url(cast_a, "report_version_progress", report.pk, 1)).json()
    download = _url(cast_a, "report_version_download", report.pk, 1)
    assert progress == {
        "status": "ready",
        "status_label": "Ready",
        "progress": 100,
        "message": "Ready",
        "download_url": download,
        "page_count": ready.page_count,
        "size": ready.size,
        "size_label": progress["size_label"],
        "sha256": ready.sha256,
    }
    response = client.get(download)
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == ready.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Good progress on local spend." in text
    assert "18% of spend with local firms" in text


@pytest.mark.parametrize("who", ["tenant_admin", "board_reporter", "organisation_admin"])
def test_the_pdf_downloads_for_the_people_who_may_see_the_report(client, login, cast_a, who):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        ready = ready_version(cast_a, report)
    login(getattr(cast_a, who))
    response = client.get(_url(cast_a, "report_version_download", report.pk, ready.number))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="social-value-mid-year-report-version-1.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["assessor", "organisation_member", "other_organisation_admin"])
def test_the_pdf_is_refused_to_everyone_else(client, login, cast_a, who):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        ready = ready_version(cast_a, report)
    user = (
        other_organisation_admin(cast_a)
        if who == "other_organisation_admin"
        else getattr(cast_a, who)
    )
    login(user)
    for name in ("report_version_download", "report_version_status", "report_version_progress"):
        assert client.get(_url(cast_a, name, report.pk, ready.number)).status_code == 403
    assert client.get(_url(cast_a, "report_kvi_xlsx", report.pk)).status_code == 403


def test_another_programmes_pdf_is_not_found(client, login, cast_a, cast_b):
    report = _report(cast_b)
    with tenant_context(cast_b.tenant.id):
        ready = ready_version(cast_b, report)
    login(cast_a.tenant_admin)
    assert (
        client.get(_url(cast_a, "report_version_download", report.pk, ready.number)).status_code
        == 404
    )
    login(cast_b.tenant_admin)
    assert (
        client.get(_url(cast_b, "report_version_download", report.pk, ready.number)).status_code
        == 200
    )
    assert client.get(_url(cast_b, "report_version_download", report.pk, 9)).status_code == 404


def test_people_who_may_not_prepare_cannot_generate(client, login, cast_a):
    report = _report(cast_a)
    for user in (other_organisation_admin(cast_a), cast_a.assessor, cast_a.organisation_member):
        login(user)
        assert client.post(_url(cast_a, "report_generate", report.pk)).status_code == 403
    login(cast_a.organisation_admin)
    assert client.get(_url(cast_a, "report_generate", report.pk)).status_code == 405
    assert _versions(cast_a, report) == []


# --- Trying again ------------------------------------------------------------------------------


def test_a_failed_version_shows_why_and_is_tried_again_as_the_same_version(client, login, cast_a):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        failed = version(
            cast_a,
            report,
            status=VersionStatus.FAILED,
            failure_reason="Something went wrong while producing the PDF. Try again.",
            attempts=1,
        )
    login(cast_a.organisation_admin)
    status = _url(cast_a, "report_version_status", report.pk, 1)
    page = _page(client.get(status))
    assert "The PDF could not be produced" in page
    assert "Something went wrong while producing the PDF." in page
    assert "Try again" in page and "http-equiv" not in page
    progress = client.get(_url(cast_a, "report_version_progress", report.pk, 1)).json()
    assert progress["status"] == "failed" and "Something went wrong" in progress["message"]

    response = client.post(_url(cast_a, "report_version_retry", report.pk, 1))
    assert response.status_code == 302 and response["Location"] == status
    [again] = _versions(cast_a, report)
    assert again.pk == failed.pk and again.status == VersionStatus.QUEUED
    assert again.failure_reason == ""
    # Not failed any more: a second press is refused with a message, nothing changes.
    response = client.post(_url(cast_a, "report_version_retry", report.pk, 1), follow=True)
    assert "Only a failed generation can be tried again." in response.content.decode()
    assert _versions(cast_a, report)[0].status == VersionStatus.QUEUED


def test_only_those_who_may_prepare_can_try_again(client, login, cast_a):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        version(cast_a, report, status=VersionStatus.FAILED, failure_reason="No.")
    for user in (cast_a.assessor, other_organisation_admin(cast_a)):
        login(user)
        assert client.post(_url(cast_a, "report_version_retry", report.pk, 1)).status_code == 403
    assert _versions(cast_a, report)[0].status == VersionStatus.FAILED


# --- Deleting a draft --------------------------------------------------------------------------


def test_a_draft_never_generated_can_be_deleted_after_a_confirmation(client, login, cast_a):
    report = _report(cast_a)
    login(cast_a.board_reporter)
    page = _page(client.get(_url(cast_a, "report_delete", report.pk)))
    assert "Delete this report?" in page and "Delete the draft" in page
    response = client.post(_url(cast_a, "report_delete", report.pk))
    assert response["Location"] == _url(cast_a, "report_list")
    with tenant_context(cast_a.tenant.id):
        assert not Report.objects.filter(pk=report.pk).exists()


def test_a_report_with_pdfs_is_not_deleted(client, login, cast_a):
    report = _report(cast_a)
    with tenant_context(cast_a.tenant.id):
        ready_version(cast_a, report)
    login(cast_a.tenant_admin)
    page = _page(client.get(_url(cast_a, "report_delete", report.pk)))
    assert "This report cannot be deleted" in page and "Delete the draft" not in page
    response = client.post(_url(cast_a, "report_delete", report.pk), follow=True)
    assert "kept as the record of what the board read" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert Report.objects.filter(pk=report.pk).exists()


# --- Schedules ---------------------------------------------------------------------------------


def _schedule_post(cast, **changes):
    data = {
        "frequency": "monthly",
        "day_of_month": "5",
        "meeting_dates": "",
        "days_before": "7",
        "recipient": str(cast.board_reporter.pk),
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_tenant_admin_schedules_changes_and_removes_a_report(client, login, cast_a):
    report = _report(cast_a)
    login(cast_a.tenant_admin)
    detail = _page(client.get(_url(cast_a, "report_detail", report.pk)))
    assert "Add a schedule" in detail
    form = _page(client.get(_url(cast_a, "report_schedule_create", report.pk)))
    assert cast_a.board_reporter.email in form
    assert cast_a.assessor.email not in form and cast_a.organisation_member.email not in form
    response = client.post(
        _url(cast_a, "report_schedule_create", report.pk), _schedule_post(cast_a)
    )
    assert response["Location"] == _url(cast_a, "report_detail", report.pk)
    with tenant_context(cast_a.tenant.id):
        schedule = ReportSchedule.objects.get(report=report)
    assert schedule.frequency == "monthly" and schedule.day_of_month == 5
    assert schedule.recipient == cast_a.board_reporter and schedule.is_active
    assert schedule.next_run_on.day == 5

    response = client.post(
        _url(cast_a, "report_schedule_edit", report.pk, schedule.pk),
        _schedule_post(
            cast_a,
            frequency="before_meetings",
            meeting_dates="19/10/2099\n2099-12-14\n\n",
            days_before="10",
        ),
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        schedule.refresh_from_db()
    assert schedule.meeting_dates == ["2099-10-19", "2099-12-14"]
    assert schedule.next_run_on.isoformat() == "2099-10-09"
    edit = _page(client.get(_url(cast_a, "report_schedule_edit", report.pk, schedule.pk)))
    assert "19/10/2099\n14/12/2099" in edit

    detail = _page(client.get(_url(cast_a, "report_detail", report.pk)))
    assert "Before set meeting dates (10 days before)" in detail and "9 October 2099" in detail
    remove = _url(cast_a, "report_schedule_remove", report.pk, schedule.pk)
    assert "Remove this schedule?" in _page(client.get(remove))
    assert client.post(remove)["Location"] == _url(cast_a, "report_detail", report.pk)
    with tenant_context(cast_a.tenant.id):
        assert not ReportSchedule.objects.exists()


def test_a_schedule_names_each_field_in_error(client, login, cast_a):
    report = _report(cast_a)
    login(cast_a.tenant_admin)
    url = _url(cast_a, "report_schedule_create", report.pk)
    page = _page(
        client.post(url, _schedule_post(cast_a, frequency="before_meetings", meeting_dates="19th"))
    )
    assert '<a href="#id_meeting_dates">Enter each meeting date on its own line' in page
    page = _page(client.post(url, _schedule_post(cast_a, frequency="before_meetings")))
    assert '<a href="#id_meeting_dates">Enter at least one meeting date.</a>' in page
    page = _page(
        client.post(
            url, _schedule_post(cast_a, frequency="before_meetings", meeting_dates="1/1/2001")
        )
    )
    assert "Every meeting date is too close or past" in page
    page = _page(client.post(url, _schedule_post(cast_a, day_of_month="32")))
    assert '<a href="#id_day_of_month">Enter a day of the month from 1 to 31.</a>' in page
    page = _page(client.post(url, _schedule_post(cast_a, recipient=str(cast_a.assessor.pk))))
    assert '<a href="#id_recipient">' in page
    page = _page(client.post(url, _schedule_post(cast_a, frequency="")))
    assert "Choose how often the report is generated." in page
    with tenant_context(cast_a.tenant.id):
        assert not ReportSchedule.objects.exists()


def test_schedules_are_for_tenant_admins_and_the_organisations_admins(client, login, cast_a):
    report = _report(cast_a)
    system = _report(cast_a, ReportKind.SYSTEM)
    for user in (cast_a.board_reporter, cast_a.assessor, other_organisation_admin(cast_a)):
        login(user)
        response = client.post(
            _url(cast_a, "report_schedule_create", report.pk), _schedule_post(cast_a)
        )
        assert response.status_code == 403
    login(cast_a.organisation_admin)
    assert client.get(_url(cast_a, "report_schedule_create", system.pk)).status_code == 403
    response = client.post(
        _url(cast_a, "report_schedule_create", report.pk),
        _schedule_post(cast_a, recipient=str(cast_a.organisation_admin.pk)),
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert ReportSchedule.objects.get().recipient == cast_a.organisation_admin


def test_a_schedule_of_another_report_is_not_found(client, login, cast_a):
    report, other = _report(cast_a), _report(cast_a, ReportKind.SYSTEM)
    with tenant_context(cast_a.tenant.id):
        schedule = ReportSchedule.objects.create(
            tenant=cast_a.tenant,
            report=other,
            frequency="monthly",
            recipient=cast_a.board_reporter,
            next_run_on="2099-01-01",
        )
    login(cast_a.tenant_admin)
    assert (
        client.get(_url(cast_a, "report_schedule_edit", report.pk, schedule.pk)).status_code == 404
    )
    assert (
        client.post(_url(cast_a, "report_schedule_remove", report.pk, schedule.pk)).status_code
        == 404
    )


# --- Settings ----------------------------------------------------------------------------------


def test_a_tenant_admin_sets_the_action_required_choices(client, login, cast_a):
    login(cast_a.tenant_admin)
    page = _page(client.get(_url(cast_a, "reporting_settings")))
    assert "Approve\nDiscuss\nAssure\nNote" in page
    error = _page(client.post(_url(cast_a, "reporting_settings"), {"actions": "  \n "}))
    assert '<a href="#id_actions">Enter at least one action, one per line.</a>' in error
    long = _page(client.post(_url(cast_a, "reporting_settings"), {"actions": "x" * 41}))
    assert "Each action must be 40 characters or fewer" in long
    response = client.post(
        _url(cast_a, "reporting_settings"), {"actions": "For decision\nFor assurance\n\n"}
    )
    assert response["Location"] == _url(cast_a, "report_list")
    with tenant_context(cast_a.tenant.id):
        assert ReportingSettings.objects.get().actions == ["For decision", "For assurance"]
    report = _report(cast_a, action_required="")
    page = _page(client.get(_url(cast_a, "report_edit", report.pk)))
    assert 'value="For assurance"' in page and 'value="Approve"' not in page


def test_only_tenant_admins_change_the_settings(client, login, cast_a):
    for user in (cast_a.board_reporter, cast_a.organisation_admin):
        login(user)
        assert (
            client.post(_url(cast_a, "reporting_settings"), {"actions": "Rubber-stamp"}).status_code
            == 403
        )
    with tenant_context(cast_a.tenant.id):
        assert not ReportingSettings.objects.exists()


# --- The KVI spreadsheet -----------------------------------------------------------------------


def test_the_kvi_table_downloads_as_a_spreadsheet_safe_to_open(client, login, cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_builders.kvi_setup(cast_a)
        kvi_builders.standard_figures(setup)
        hours = setup.kvis["HOURS"]
        type(hours).objects.filter(pk=hours.pk).update(title='=HYPERLINK("http://x")')
        report = draft(cast_a, data_freeze_date=timezone.localdate())
    login(cast_a.board_reporter)
    response = client.get(_url(cast_a, "report_kvi_xlsx", report.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="{cast_a.tenant.slug}-social-value-mid-year-report-kvis.xlsx"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:3] == ["Theme", "KVI code", "KVI"]
    assert "Previous financial year (2021/22)" in header and "Year to date (2022/23)" in header
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"SPEND", "CRISIS", "HOURS"}
    assert by_code["HOURS"]["KVI"] == '\'=HYPERLINK("http://x")'
    assert by_code["SPEND"]["Theme"] == "Economic"


def test_only_an_organisations_report_offers_its_kvi_table(client, login, cast_a):
    report = _report(cast_a, ReportKind.SYSTEM)
    login(cast_a.tenant_admin)
    xlsx = _url(cast_a, "report_kvi_xlsx", report.pk)
    assert xlsx not in client.get(_url(cast_a, "report_detail", report.pk)).content.decode()
    assert client.get(xlsx).status_code == 404
