"""The award journey in a real browser: an organisation admin applies with two evidence files and
submits; the tenant admin assigns an assessor, who declares no conflict and scores; the tenant
admin drafts the decision from the scores and sends it; the certificate PDF downloads; and its
verification code checks as current on the public page, signed out.

The scheme itself is set up by the services (its pages are tested in test_award_scheme_pages).
People sign in by session cookie (the sign-in itself is tested in test_browser.py); Celery runs
eagerly in the tests, so the certificate is produced when the decision's transaction commits."""

import io
import re

import pytest
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from awards.models import Application, ApplicationStatus, Award, CertificateStatus
from tenancy.context import tenant_context
from tests import factories
from tests.awards_builders import open_scheme
from tests.browser import BROWSER_TESTS

pytestmark = BROWSER_TESTS
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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
def test_apply_assess_award_download_the_certificate_and_verify_it_signed_out(
    live_server, browser, cast_a
):
    cast = cast_a
    with tenant_context(cast.tenant.id):
        scheme = open_scheme(cast)
    base = f"{live_server.url}/t/{cast.tenant.slug}/awards"

    # 1. The organisation admin starts an application for Bronze in two areas.
    applicant = _page_signed_in_as(browser, live_server, cast.organisation_admin)
    applicant.goto(f"{base}/")
    applicant.get_by_role("button", name="Apply").first.click()
    applicant.get_by_role("radio", name="Bronze").check()
    applicant.get_by_role("checkbox", name="Environmental").check()
    applicant.get_by_role("checkbox", name="Social").check()
    applicant.get_by_role("button", name="Start the application").click()
    with tenant_context(cast.tenant.id):
        application = Application.objects.get(organisation=cast.organisation)
    assert applicant.url.endswith(f"/applications/{application.pk}/")

    # Answers: the questions of Bronze in the chosen areas.
    applicant.get_by_role("link", name=re.compile(r"(Open|Answer or change) the questions")).click()
    applicant.get_by_label(scheme.general.text).fill("Our Chief Strategy Officer leads it.")
    applicant.get_by_label(scheme.environmental.text).fill("A Net Zero plan with yearly targets.")
    applicant.get_by_label(scheme.social.text).fill("Our estate hosts community groups weekly.")
    applicant.get_by_role("button", name="Save and return to the application").click()

    # Two commitments, one per area.
    applicant.get_by_role("link", name="Add or change commitments and their KVIs").click()
    for area, text in (
        ("Environmental", "Cut our fleet's emissions by a fifth by 2026."),
        ("Social", "Open our meeting rooms to local groups free of charge."),
    ):
        applicant.get_by_role("radio", name=area).check()
        applicant.get_by_label("What does your organisation commit to?").fill(text)
        applicant.get_by_role("button", name="Add the commitment").click()
    applicant.goto(f"{base}/applications/{application.pk}/")

    # Two evidence files.
    for name, mime, content in (
        ("net-zero-plan.pdf", "application/pdf", PDF),
        ("community-room-bookings.png", "image/png", PNG),
    ):
        applicant.get_by_role("link", name="Add an evidence file").click()
        applicant.locator("input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}]
        )
        applicant.get_by_role("button", name="Add the file").click()
        expect(applicant.get_by_role("link", name=name).first).to_be_visible()

    applicant.get_by_role("button", name="Submit the application").click()  # a link styled so
    applicant.get_by_role("button", name="Submit the application").click()
    expect(applicant.get_by_text("Submitted").first).to_be_visible()
    with tenant_context(cast.tenant.id):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.evidence_files.filter(is_current=True).count() == 2

    # 2. The tenant admin assigns the assessor.
    admin = _page_signed_in_as(browser, live_server, cast.tenant_admin)
    admin.goto(f"{base}/applications/{application.pk}/")
    admin.get_by_role("link", name="Assessors").click()
    admin.get_by_label("Assessor").select_option(str(cast.assessor.pk))
    admin.get_by_role("button", name="Assign").click()

    # 3. The assessor declares no conflict and scores every question.
    assessor = _page_signed_in_as(browser, live_server, cast.assessor)
    assessor.goto(f"{base}/assessments/")
    assessor.get_by_role("link", name=f"Declare interests for {cast.organisation.name}").click()
    assessor.get_by_label("No, I have no conflict of interest").check()
    assessor.get_by_role("button", name="Declare").click()  # then on to the scoring page
    for number in (1, 2, 3):
        assessor.get_by_label(f"Score for question {number}").fill("4")
        assessor.get_by_label(f"Comment for the applicant on question {number}").fill(
            "Clear evidence of what changed and for whom."
        )
    assessor.get_by_label("Private note on question 1").fill("Private: I know the CEO slightly.")
    assessor.get_by_role("button", name="Save scores").click()
    expect(assessor.get_by_text("Scores saved", exact=False).first).to_be_visible()
    assert assessor.locator(".nhsuk-error-summary").count() == 0

    # 4. The tenant admin drafts the decision from the scores and sends it.
    admin.goto(f"{base}/applications/{application.pk}/")
    admin.get_by_role("link", name="Decision and feedback letter").click()
    admin.get_by_role("button", name="Draft the decision from the scores").click()
    admin.get_by_role("button", name="Save and check before sending").click()
    admin.get_by_role("button", name="Send the decision").click()
    with tenant_context(cast.tenant.id):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWARDED
        award = Award.objects.get(application=application)
        assert award.certificate_status == CertificateStatus.READY

    # 5. The certificate downloads from the award's page, carrying the verification code.
    applicant.goto(f"{base}/applications/{application.pk}/")
    assert "Private: I know the CEO" not in applicant.content()
    applicant.get_by_role("link", name="The award and its certificate").click()
    with applicant.expect_download() as download_info:
        applicant.get_by_role("link", name="Download the certificate").click()
    download = download_info.value
    pdf_bytes = open(download.path(), "rb").read()
    assert pdf_bytes.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    code = award.verification_code
    assert code[:4] in text.replace(" ", "").replace("-", "")

    # 6. Signed out, the public page says the code belongs to a current award at Bronze.
    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/t/{cast.tenant.slug}/public/awards/verify/")
    public.get_by_label("Verification code").fill(code)
    public.get_by_role("button", name="Check").click()
    result = public.locator("main").inner_text()
    assert "current" in result.lower()
    assert "Bronze" in result
    assert cast.organisation.name in result
