"""The figure journey in a real browser: an organisation member enters this month's figure for a
KVI with an evidence file and submits it; the organisation admin finds it waiting on the KVI
dashboard, validates it from the queue, and the dashboard shows the year-to-date figure. People
sign in by session cookie (the sign-in itself is tested in test_browser.py)."""

import pytest
from django.test import Client
from django.utils import timezone

from kvi import periods
from kvi.models import Measurement, MeasurementStatus
from tenancy.context import tenant_context
from tests import factories
from tests.browser import BROWSER_TESTS
from tests.test_kvi_pages import KviData

pytestmark = BROWSER_TESTS
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _page_signed_in_as(browser, live_server, user):
    """A browser page whose session cookie belongs to `user` (two-factor set up for them)."""
    factories.give_totp(user)
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_enter_submit_with_evidence_validate_and_the_dashboard_shows_it(
    live_server, browser, cast_a
):
    cast = cast_a
    with tenant_context(cast.tenant.id):
        kvi = KviData(cast).kvis["CRISIS"]  # monthly, people, average; target 50
    # This month is always in this financial year, so it counts towards the year to date.
    this_month = periods.period_start(timezone.localdate(), "monthly")
    base = f"{live_server.url}/t/{cast.tenant.slug}/kvis"

    # 1. The member enters this month's figure with an evidence file and submits it.
    member = _page_signed_in_as(browser, live_server, cast.organisation_member)
    member.goto(f"{base}/{kvi.pk}/")
    assert member.get_by_role("heading", level=1).inner_text().endswith("Crisis KVI")
    member.get_by_role("link", name="Enter a figure").click()
    member.get_by_label("Period").select_option(this_month.isoformat())
    member.get_by_role("textbox", name="Value").fill("58")
    member.get_by_label("Source").fill("Rapid response rota")
    member.locator("input[type=file]").set_input_files(
        files=[{"name": "rota.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    member.get_by_role("button", name="Submit for validation").click()
    assert member.get_by_text("submitted for validation").is_visible()
    assert member.locator("#figure").inner_text() == "58 people"
    assert member.get_by_role("link", name="rota.pdf").is_visible()
    with tenant_context(cast.tenant.id):
        measurement = Measurement.objects.get(kvi=kvi)
        assert measurement.status == MeasurementStatus.SUBMITTED
        assert measurement.evidence.get().file_name == "rota.pdf"

    # 2. The organisation admin sees it waiting on the dashboard and validates it.
    admin = _page_signed_in_as(browser, live_server, cast.organisation_admin)
    admin.goto(f"{base}/organisations/{cast.organisation.id}/")
    admin.get_by_role("link", name="1 figure is waiting for validation").click()
    assert (
        admin.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Figures waiting for validation")
    )
    assert admin.locator("#queue").get_by_text("58 people").is_visible()
    admin.get_by_role("button", name="Validate").click()
    assert admin.get_by_text("validated").first.is_visible()
    assert admin.get_by_text("No figures are waiting for validation.").is_visible()
    with tenant_context(cast.tenant.id):
        measurement.refresh_from_db()
    assert measurement.status == MeasurementStatus.VALIDATED
    assert measurement.validated_by == cast.organisation_admin

    # 3. The dashboard shows the year-to-date figure.
    admin.get_by_role("link", name="Back to the KVI dashboard").click()
    row = admin.locator("#kvi-crisis")
    assert row.locator(".kvi-year-to-date").inner_text().endswith("58 people")
    assert admin.locator("#awaiting-validation").count() == 0
