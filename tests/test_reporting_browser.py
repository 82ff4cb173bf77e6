"""The board report journey in a real browser: a board reporter opens the draft from the
report list, edits the executive summary, presses "Generate PDF", watches the version's
progress page (its script polls the progress JSON and updates the role="status" region and the
progress bar in place) until the PDF is ready, and downloads a PDF whose text contains the
edit.

Celery runs eagerly in the tests. So that the page can be seen while the version waits, the
request's queueing is held and the task is then run from the test (through Celery, as the
worker would) while the page is open; the page picks the result up by itself, without a
reload. People sign in by session cookie (the sign-in itself is tested in test_browser.py)."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from reporting import services, tasks
from reporting.models import ReportVersion, VersionStatus
from tenancy.context import tenant_context
from tests import factories
from tests import reporting_builders as kvi_builders
from tests.browser import BROWSER_TESTS
from tests.reporting_page_builders import draft

pytestmark = BROWSER_TESTS
EDIT = "Crisis responses rose by four fifths after the new community hub opened in May."


def _page_signed_in_as(browser, live_server, user):
    """A browser page whose session cookie belongs to `user` (two-factor set up for them)."""
    factories.give_totp(user)
    client = Client()
    client.force_login(user)
    context = browser.new_context(accept_downloads=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_a_board_reporter_edits_the_draft_generates_follows_progress_and_downloads(
    live_server, browser, cast_a, monkeypatch
):
    cast = cast_a
    with tenant_context(cast.tenant.id):
        setup = kvi_builders.kvi_setup(cast)
        kvi_builders.standard_figures(setup)
        report = draft(cast, data_freeze_date=timezone.localdate())
    held: list[ReportVersion] = []
    monkeypatch.setattr(services, "_queue", held.append)  # the worker is busy for now

    page = _page_signed_in_as(browser, live_server, cast.board_reporter)
    page.goto(f"{live_server.url}/t/{cast.tenant.slug}/")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="Social value mid-year report").click()
    page.get_by_role("link", name="Edit the draft").click()

    summary = page.get_by_label("Executive summary")
    expect(summary).to_have_value("Good progress on local spend.")
    summary.fill(EDIT)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    assert page.locator(".nhsuk-error-summary").count() == 0
    expect(page.locator("main")).to_contain_text(EDIT)

    page.get_by_role("button", name="Generate PDF").click()
    status = page.get_by_role("status").filter(has_text="done")
    expect(status).to_contain_text("Waiting to start")
    expect(status).to_contain_text("0% done: Waiting for a worker")
    expect(page.get_by_label("How far it has got")).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_hidden()
    [version] = held
    assert page.url.endswith(f"/reports/{report.pk}/versions/1/")

    # The worker takes the job while the page is open; the page sees it finish on its own.
    assert tasks.generate_report_pdf.delay(str(cast.tenant.id), str(version.pk)).get() in {
        "produced"
    }
    ready = page.get_by_role("status")
    expect(ready).to_contain_text("The PDF is ready.", timeout=15000)
    expect(ready).to_contain_text("Ready")
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible()
    with tenant_context(cast.tenant.id):
        version = ReportVersion.objects.get(pk=version.pk)
    assert version.status == VersionStatus.READY
    expect(page.locator("[data-progress-sha256]")).to_have_text(version.sha256)

    with page.expect_download() as download_info:
        download_link.click()
    pdf_bytes = open(download_info.value.path(), "rb").read()
    assert pdf_bytes.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert " ".join(EDIT.split()) in " ".join(text.split())

    # The report's page lists the version with its hash and the download.
    page.get_by_role("link", name="Back to the report and its versions").click()
    expect(page.locator("#versions + table")).to_contain_text(version.sha256[:12])
