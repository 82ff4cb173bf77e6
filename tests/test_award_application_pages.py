"""The applicant's award pages: the awards landing page, starting and renewing an application,
the application page (by role), answers saved as they go (JSON autosave and the plain form),
areas, commitments and their KVIs, sharing with colleagues, submit, withdraw and resubmit,
and Level 1 tracking; who is refused (403/404) with nothing changed; fixed query counts."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from awards import services
from awards.models import Application, ApplicationAnswer, Commitment, SchemeStatus
from kvi import services as kvi_services
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tests.awards_builders import (
    as_user,
    decided,
    draft,
    in_assessment,
    kvi_for,
    open_scheme,
    other_organisation_admin,
    person,
    submitted,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


@pytest.fixture
def draft_a(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        return draft(cast_a, scheme_a)


def _reload(cast, application):
    with tenant_context(cast.tenant.id):
        return Application.objects.get(pk=application.pk)


def _other_admin(cast):
    """An admin of the cast's other organisation."""
    with tenant_context(cast.tenant.id):
        return other_organisation_admin(cast)


def _resolves(name, *args) -> bool:
    try:
        reverse(name, args=list(args))
    except NoReverseMatch:
        return False
    return True


# --- The awards landing page ---------------------------------------------------------------


def test_home_shows_open_awards_and_the_organisations_applications(
    cast_a, scheme_a, draft_a, login
):
    response = login(cast_a.organisation_admin).get(url(cast_a, "award_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert url(cast_a, "application_start", scheme_a.version.pk) in html
    assert url(cast_a, "application_detail", draft_a.pk) in html
    assert "already has an application (draft)" in html
    assert "holds no award yet" in html


def test_home_for_the_programme_team_has_no_apply_button(cast_a, scheme_a, login):
    html = login(cast_a.tenant_admin).get(url(cast_a, "award_home")).content.decode()
    assert "Awards you can apply for" not in html
    assert url(cast_a, "application_start", scheme_a.version.pk) not in html
    if _resolves("award_dashboard", cast_a.tenant.slug):
        assert url(cast_a, "award_dashboard") in html


def test_home_refusals(cast_a, cast_b, login):
    for who in (cast_a.board_reporter, cast_a.outsider, cast_b.tenant_admin):
        assert login(who).get(url(cast_a, "award_home")).status_code == 403


def test_home_takes_a_fixed_number_of_queries(
    cast_a, scheme_a, login, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        decided(cast_a, scheme_a)  # one award held
    client = login(cast_a.organisation_admin)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(url(cast_a, "award_home"))
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        for n in range(4):
            application = draft(cast_a, scheme_a, complete=False)
            services.application_withdraw(**applicant, application=application, reason=f"Round {n}")
        draft(cast_a, scheme_a, complete=False)
    with django_assert_max_num_queries(len(queries)):
        large = client.get(url(cast_a, "award_home"))
    assert len(small.context["page_obj"].object_list) == 1
    assert len(large.context["page_obj"].object_list) == 6


# --- Starting and renewing -----------------------------------------------------------------


def test_an_organisation_admin_starts_an_application(cast_a, scheme_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_start", scheme_a.version.pk)
    page = client.get(path)
    assert page.status_code == 200 and "Bronze" in page.content.decode()
    refused = client.post(path, {"area_codes": ["social"]})
    assert "Choose the level you are applying for." in refused.content.decode()
    response = client.post(
        path, {"level": str(scheme_a.bronze.pk), "area_codes": ["social", "economic"]}
    )
    with tenant_context(cast_a.tenant.id):
        application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast_a, "application_detail", application.pk)
    assert application.area_codes == ["social", "economic"]
    assert application.started_by == cast_a.organisation_admin
    again = client.post(path, {"level": str(scheme_a.bronze.pk), "area_codes": ["social"]})
    assert "already has an application for this award" in again.content.decode()


def test_starting_is_refused_to_others_and_on_a_closed_award(cast_a, cast_b, scheme_a, login):
    path = url(cast_a, "application_start", scheme_a.version.pk)
    data = {"level": str(scheme_a.bronze.pk), "area_codes": ["social"]}
    for who in (cast_a.organisation_member, cast_a.assessor, cast_a.tenant_admin):
        assert login(who).post(path, data).status_code == 403
    assert login(cast_b.organisation_admin).post(path, data).status_code == 403
    with tenant_context(cast_a.tenant.id):
        services.scheme_version_move(
            **as_user(cast_a, cast_a.tenant_admin), version=scheme_a.version, to_status="closed"
        )
    assert login(cast_a.organisation_admin).get(path).status_code == 404
    with tenant_context(cast_a.tenant.id):
        assert not Application.objects.exists()
    assert SchemeStatus.CLOSED == "closed"


def test_a_renewal_starts_from_the_awarded_application(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        awarded = decided(cast_a, scheme_a)
        award = awarded.awards.get()
    client = login(cast_a.organisation_admin)
    home = client.get(url(cast_a, "award_home")).content.decode()
    path = url(cast_a, "application_renew", award.pk)
    assert path in home
    page = client.get(path)
    assert page.status_code == 200
    assert page.context["form"].initial == {"level": str(scheme_a.bronze.pk)}
    response = client.post(path, {"level": str(scheme_a.bronze.pk)})
    with tenant_context(cast_a.tenant.id):
        renewal = Application.objects.get(renewal_of=award)
        assert renewal.answers.count() == 3 and renewal.commitments.count() == 2
    assert response["Location"] == url(cast_a, "application_detail", renewal.pk)
    assert login(cast_a.organisation_member).post(path, {}).status_code == 403
    assert login(_other_admin(cast_a)).get(path).status_code == 404


# --- The application page ------------------------------------------------------------------


def test_the_applicant_sees_everything_and_their_links(cast_a, scheme_a, draft_a, login):
    html = login(cast_a.organisation_admin).get(url(cast_a, "application_detail", draft_a.pk))
    text = html.content.decode()
    assert "We cut fleet mileage by 12% in Wirral" in text
    assert "Halve waste" in text and "Volunteer 1,000 hours" in text
    assert "Nothing is missing: the application can be submitted." in text
    for name in ("application_submit", "application_withdraw", "application_share"):
        assert url(cast_a, name, draft_a.pk) in text
    assert url(cast_a, "application_answers", draft_a.pk) in text
    assert url(cast_a, "award_evidence_add", draft_a.pk) in text
    member = login(cast_a.organisation_member).get(url(cast_a, "application_detail", draft_a.pk))
    member_text = member.content.decode()
    assert url(cast_a, "application_answers", draft_a.pk) in member_text
    assert url(cast_a, "application_submit", draft_a.pk) not in member_text


def test_the_missing_list_shows_on_an_incomplete_draft(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
    text = (
        login(cast_a.organisation_admin)
        .get(url(cast_a, "application_detail", application.pk))
        .content.decode()
    )
    assert "Still missing before it can be submitted" in text
    assert "Answer “Who leads social value in your organisation?”." in text
    assert "Bronze asks for at least 2 commitments (you have 0)." in text


def test_who_may_open_the_application(cast_a, cast_b, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        conflicted = person(cast_a, Role.ASSESSOR)
        undeclared = person(cast_a, Role.ASSESSOR)
        assignment = services.assessor_assign(**admin, application=application, assessor=conflicted)
        services.conflict_declare(
            **as_user(cast_a, conflicted),
            assignment=assignment,
            conflicted=True,
            note="I sit on their board.",
        )
        services.assessor_assign(**admin, application=application, assessor=undeclared)
    path = url(cast_a, "application_detail", application.pk)
    assert login(cast_a.tenant_admin).get(path).status_code == 200
    assert login(conflicted).get(path).status_code == 404
    assert login(_other_admin(cast_a)).get(path).status_code == 404
    assert login(cast_a.assessor).get(path).status_code == 404  # not assigned
    assert login(cast_b.tenant_admin).get(path).status_code == 403
    assert login(cast_a.outsider).get(path).status_code == 403
    limited = login(undeclared).get(path)
    assert limited.status_code == 200
    text = limited.content.decode()
    assert "Declare whether you have a conflict of interest" in text
    assert "We cut fleet mileage" not in text and "Halve waste" not in text


def test_role_links_point_at_the_team_and_assessor_pages(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        assignment = application.assignments.get()
    path = url(cast_a, "application_detail", application.pk)
    team = login(cast_a.tenant_admin).get(path).content.decode()
    assert url(cast_a, "application_submit", application.pk) not in team
    for name in ("application_assessors", "information_request", "moderation", "decision_draft"):
        if _resolves(name, cast_a.tenant.slug, application.pk):  # once merged
            assert url(cast_a, name, application.pk) in team
    assessor = login(cast_a.assessor).get(path).content.decode()
    assert "We cut fleet mileage" in assessor  # cleared of conflict: reads it
    if _resolves("assessment_score", cast_a.tenant.slug, assignment.pk):
        assert url(cast_a, "assessment_score", assignment.pk) in assessor
    applicant = login(cast_a.organisation_admin).get(path).content.decode()
    assert url(cast_a, "application_withdraw", application.pk) in applicant
    assert url(cast_a, "application_answers", application.pk) not in applicant  # not editable
    if _resolves("moderation", cast_a.tenant.slug, application.pk):
        assert url(cast_a, "moderation", application.pk) not in applicant


def test_the_applicant_never_sees_private_notes_and_sees_the_letter(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = decided(cast_a, scheme_a)
    response = login(cast_a.organisation_admin).get(
        url(cast_a, "application_detail", application.pk)
    )
    text = response.content.decode()
    assert "Private: met the CEO." not in text
    assert response.context["letter"] is not None
    assert "Awarded" in text
    history = [e.to_status for e in response.context["events"]]
    assert history == ["draft", "submitted", "in_assessment", "awarded"]


def test_the_application_page_takes_a_fixed_number_of_queries(
    cast_a, scheme_a, login, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        scheme_level_one = scheme_a.level_one
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = services.application_start(
            **applicant,
            organisation=cast_a.organisation,
            version=scheme_a.version,
            level=scheme_level_one,
            area_codes=["environmental"],
        )
        area = scheme_a.version.areas.get(code="environmental")
        kvi = kvi_for(cast_a, cast_a.organisation, "SPEND")
        commitment = services.commitment_save(
            **applicant, application=application, area=area, text="First"
        )
        services.commitment_kvis_set(**applicant, commitment=commitment, kvis=[kvi])
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_detail", application.pk)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(path)
    with tenant_context(cast_a.tenant.id):
        more_kvis = [kvi_for(cast_a, cast_a.organisation, f"K{n}") for n in range(3)]
        for n in range(5):
            extra = services.commitment_save(
                **applicant, application=application, area=area, text=f"More {n}"
            )
            services.commitment_kvis_set(**applicant, commitment=extra, kvis=more_kvis)
        for criterion in (scheme_a.general, scheme_a.environmental):
            services.answer_save(
                **applicant, application=application, criterion=criterion, text="An answer"
            )
        for n in range(4):
            evidence = services.evidence_add(
                **applicant,
                application=application,
                uploaded_file=SimpleUploadedFile(f"file{n}.pdf", PDF),
            )
        services.evidence_replace(
            **applicant, evidence=evidence, uploaded_file=SimpleUploadedFile("new.pdf", PDF)
        )
    with django_assert_max_num_queries(len(queries)):
        large = client.get(path)
    assert len(small.context["commitments"]) == 1 and len(large.context["commitments"]) == 6
    assert len(large.context["current_files"]) == 4 and len(large.context["past_files"]) == 1
    assert len(large.context["tracking"].kvis) == 4


def test_level_one_tracking_shows_figures_months_left_and_kvis_without_a_recent_figure(
    cast_a, scheme_a, login
):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = services.application_start(
            **applicant,
            organisation=cast_a.organisation,
            version=scheme_a.version,
            level=scheme_a.level_one,
            area_codes=["economic"],
        )
        area = scheme_a.version.areas.get(code="economic")
        spend = kvi_for(cast_a, cast_a.organisation, "SPEND")
        commitment = services.commitment_save(
            **applicant, application=application, area=area, text="Buy locally"
        )
        services.commitment_kvis_set(**applicant, commitment=commitment, kvis=[spend])
        Application.objects.filter(pk=application.pk).update(tracking_starts_on=date(2022, 4, 1))
        measurement = kvi_services.measurement_record(
            **applicant,
            kvi=spend,
            period=date(2022, 4, 1),
            numerator=Decimal(10),
            denominator=Decimal(100),
        )
        kvi_services.measurement_submit(**applicant, measurement=measurement)
    response = login(cast_a.organisation_member).get(
        url(cast_a, "application_detail", application.pk)
    )
    text = response.content.decode()
    assert "Tracking runs from 1 April 2022 to 1 October 2023" in text
    assert "KVIs with no recent figure" in text and "Needs a figure" in text
    assert "Apr 2022: 10" in text


# --- Answers, autosaved ----------------------------------------------------------------------


def test_autosave_saves_one_answer_and_reports_words_and_what_is_missing(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
    client = login(cast_a.organisation_member)
    page = client.get(url(cast_a, "application_answers", application.pk))
    save_url = url(cast_a, "application_answer_autosave", application.pk, scheme_a.general.pk)
    assert save_url in page.content.decode() and "js/award-autosave.js" in page.content.decode()
    long = " ".join(["word"] * 55)
    response = client.post(save_url, {"text": long})
    data = json.loads(response.content)
    assert response.status_code == 200 and data["saved"] is True
    assert (data["words"], data["word_limit"], data["over_limit"]) == (55, 50, True)
    assert any("has 55 words: the limit is 50" in m for m in data["missing_here"])
    with tenant_context(cast_a.tenant.id):
        answer = ApplicationAnswer.objects.get(criterion=scheme_a.general)
        assert answer.text == long and answer.updated_by == cast_a.organisation_member
    assert client.get(save_url).status_code == 405


def test_autosave_refusals_answer_in_json(cast_a, cast_b, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
    save_url = url(cast_a, "application_answer_autosave", application.pk, scheme_a.general.pk)
    closed = login(cast_a.organisation_admin).post(save_url, {"text": "Changed"})
    assert closed.status_code == 400
    assert "submitted: it cannot be changed now" in json.loads(closed.content)["error"]
    other = login(_other_admin(cast_a)).post(save_url, {"text": "Changed"})
    assert other.status_code == 404
    assert login(cast_a.tenant_admin).post(save_url, {"text": "x"}).status_code == 403
    assert login(cast_b.tenant_admin).post(save_url, {"text": "x"}).status_code == 403
    economic = url(cast_a, "application_answer_autosave", application.pk, scheme_a.economic.pk)
    assert login(cast_a.organisation_admin).post(economic, {"text": "x"}).status_code == 404
    with tenant_context(cast_a.tenant.id):
        assert not ApplicationAnswer.objects.filter(text__in=["Changed", "x"]).exists()


def test_the_answers_form_saves_every_answer_without_javascript(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_answers", application.pk)
    response = client.post(
        path,
        {
            f"answer_{scheme_a.general.pk}": "Our chief executive.",
            f"answer_{scheme_a.social.pk}": "Food banks.",
            "continue": "",
        },
    )
    assert response["Location"] == url(cast_a, "application_detail", application.pk)
    with tenant_context(cast_a.tenant.id):
        assert dict(
            ApplicationAnswer.objects.filter(application=application).values_list(
                "criterion_id", "text"
            )
        ) == {
            scheme_a.general.pk: "Our chief executive.",
            scheme_a.social.pk: "Food banks.",
            scheme_a.environmental.pk: "",
        }


def test_edit_pages_refuse_the_programme_team_and_closed_applications(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
    for name in ("application_answers", "application_areas", "application_commitments"):
        path = url(cast_a, name, application.pk)
        assert login(cast_a.tenant_admin).get(path).status_code == 403
        response = login(cast_a.organisation_admin).get(path)
        assert response["Location"] == url(cast_a, "application_detail", application.pk)


# --- Areas and commitments -----------------------------------------------------------------


def test_areas_and_commitments_with_kvis(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
        kvi = kvi_for(cast_a, cast_a.organisation, "SPEND")
        other_kvi = kvi_for(cast_a, cast_a.other_organisation, "THEIRS")
    client = login(cast_a.organisation_member)
    areas = client.post(
        url(cast_a, "application_areas", application.pk), {"area_codes": ["economic"]}
    )
    assert areas.status_code == 302
    assert _reload(cast_a, application).area_codes == ["economic"]
    too_few = client.post(url(cast_a, "application_areas", application.pk), {"area_codes": []})
    assert too_few.status_code == 302  # fewer than the level asks is allowed, shown as missing
    client.post(url(cast_a, "application_areas", application.pk), {"area_codes": ["economic"]})
    path = url(cast_a, "application_commitments", application.pk)
    with tenant_context(cast_a.tenant.id):
        economic = scheme_a.version.areas.get(code="economic")
    empty = client.post(path, {"area": str(economic.pk), "text": ""})
    assert "Write the commitment." in empty.content.decode()
    assert client.post(path, {"area": str(economic.pk), "text": "Buy locally"}).status_code == 302
    with tenant_context(cast_a.tenant.id):
        commitment = Commitment.objects.get(application=application)
    edit = client.post(
        url(cast_a, "commitment_edit", commitment.pk),
        {"area": str(economic.pk), "text": "Buy more locally"},
    )
    assert edit.status_code == 302
    kvis_path = url(cast_a, "commitment_kvis", commitment.pk)
    page = client.get(kvis_path).content.decode()
    assert "SPEND" in page and "THEIRS" not in page
    forged = client.post(kvis_path, {"kvis": [str(other_kvi.pk)]})
    assert forged.status_code == 200 and forged.context["form"].errors
    assert client.post(kvis_path, {"kvis": [str(kvi.pk)]}).status_code == 302
    with tenant_context(cast_a.tenant.id):
        commitment.refresh_from_db()
        assert commitment.text == "Buy more locally"
        assert [link.kvi_id for link in commitment.kvi_links.all()] == [kvi.pk]
    remove = url(cast_a, "commitment_remove", commitment.pk)
    assert "Remove this commitment?" in client.get(remove).content.decode()
    assert login(_other_admin(cast_a)).post(remove).status_code == 404
    assert login(cast_a.tenant_admin).post(remove).status_code == 403
    with tenant_context(cast_a.tenant.id):
        assert Commitment.objects.filter(pk=commitment.pk).exists()
    assert login(cast_a.organisation_member).post(remove).status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert not Commitment.objects.filter(pk=commitment.pk).exists()


# --- Sharing -------------------------------------------------------------------------------


def test_sharing_lists_colleagues_and_emails_one_a_link(
    cast_a, draft_a, login, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_share", draft_a.pk)
    page = client.get(path)
    text = page.content.decode()
    assert cast_a.organisation_member.email in text and cast_a.organisation_admin.email in text
    assert cast_a.tenant_admin.email not in text
    assert {c.user: c.may_submit for c in page.context["colleagues"]} == {
        cast_a.organisation_admin: True,
        cast_a.organisation_member: False,
    }
    missing = client.post(path, {"colleague": ""})
    assert "Choose the colleague to tell." in missing.content.decode()
    outsider = client.post(path, {"colleague": str(cast_a.tenant_admin.pk)})
    assert outsider.status_code == 200 and outsider.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path, {"colleague": str(cast_a.organisation_member.pk), "note": "Please add yours"}
        )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [cast_a.organisation_member.email]
    assert "Please add yours" in mail.body
    assert url(cast_a, "application_detail", draft_a.pk) in mail.body
    with tenant_context(cast_a.tenant.id):
        event = AuditEvent.objects.get(verb="award_application.shared")
    assert event.actor == cast_a.organisation_admin
    assert event.changes["colleague"] == cast_a.organisation_member.email
    assert login(_other_admin(cast_a)).get(path).status_code == 404
    assert login(cast_a.tenant_admin).get(path).status_code == 403


# --- Submit, withdraw, resubmit ------------------------------------------------------------


def test_submit_shows_what_is_missing_then_submits_a_complete_draft(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        incomplete = draft(cast_a, scheme_a, complete=False)
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_submit", incomplete.pk)
    page = client.get(path).content.decode()
    assert "cannot be submitted yet" in page and "Bronze asks for at least 2" in page
    refused = client.post(path)
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert _reload(cast_a, incomplete).status == "draft"
    with tenant_context(cast_a.tenant.id):
        services.application_withdraw(
            **as_user(cast_a, cast_a.organisation_admin), application=incomplete, reason="Redo"
        )
        complete = draft(cast_a, scheme_a)
    path = url(cast_a, "application_submit", complete.pk)
    assert login(cast_a.organisation_member).post(path).status_code == 403
    client = login(cast_a.organisation_admin)
    assert "Submit the application" in client.get(path).content.decode()
    response = client.post(path)
    assert response["Location"] == url(cast_a, "application_detail", complete.pk)
    assert _reload(cast_a, complete).status == "submitted"
    assert client.get(path)["Location"] == url(cast_a, "application_detail", complete.pk)


def test_withdraw_asks_why(cast_a, draft_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "application_withdraw", draft_a.pk)
    blank = client.post(path, {"reason": " "})
    assert "Say why the organisation is withdrawing." in blank.content.decode()
    assert login(cast_a.tenant_admin).post(path, {"reason": "No"}).status_code == 403
    assert _reload(cast_a, draft_a).status == "draft"
    client = login(cast_a.organisation_admin)
    assert client.post(path, {"reason": "Not ready this year"}).status_code == 302
    assert _reload(cast_a, draft_a).status == "withdrawn"
    detail = client.get(url(cast_a, "application_detail", draft_a.pk)).content.decode()
    assert "Not ready this year" in detail


def test_resubmit_after_more_information_is_asked_for(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        services.information_request(
            **as_user(cast_a, cast_a.tenant_admin),
            application=application,
            request="Send the waste audit.",
        )
    client = login(cast_a.organisation_admin)
    detail = client.get(url(cast_a, "application_detail", application.pk)).content.decode()
    assert "Send the waste audit." in detail
    assert url(cast_a, "application_resubmit", application.pk) in detail
    response = client.post(
        url(cast_a, "application_resubmit", application.pk), {"note": "Audit added"}
    )
    assert response.status_code == 302
    assert _reload(cast_a, application).status == "resubmitted"
