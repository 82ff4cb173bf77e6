"""The programme team's and assessors' award pages up to the scores: the dashboard (filters,
search, pagination, decision clock, appeals waiting), assigning and taking off assessors,
asking for more information, the assessor's worklist, declaring interests and scoring; who is
refused each of them, bad input, and the number of queries of each list."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from awards import services
from awards.models import Application, ApplicationStatus, AssessorAssignment, Conflict, Score
from tenancy.context import tenant_context
from tenancy.models import Role
from tests import factories
from tests.awards_builders import (
    as_user,
    draft,
    in_assessment,
    open_scheme,
    person,
    score_all,
    submitted,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _url(name, cast, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


def _submitted_with_evidence(cast, scheme) -> Application:
    with tenant_context(cast.tenant.id):
        application = draft(cast, scheme)
        applicant = as_user(cast, cast.organisation_admin)
        services.evidence_add(
            **applicant,
            application=application,
            criterion=scheme.environmental,
            uploaded_file=SimpleUploadedFile("fleet-mileage.pdf", b"%PDF-1.7\n%%EOF\n"),
        )
        return services.application_submit(**applicant, application=application)


def _submitted_for(cast, scheme, name: str) -> Application:
    """A submitted Bronze application of a new organisation in the cast's programme."""
    organisation = factories.ParticipationFactory(
        tenant=cast.tenant, organisation__name=name
    ).organisation
    who = as_user(cast, person(cast, Role.ORGANISATION_ADMIN, organisation))
    application = services.application_start(
        **who,
        organisation=organisation,
        version=scheme.version,
        level=scheme.bronze,
        area_codes=["environmental", "social"],
    )
    for criterion in (scheme.general, scheme.environmental, scheme.social):
        services.answer_save(**who, application=application, criterion=criterion, text="Done.")
    areas = {a.code: a for a in scheme.version.areas.all()}
    for code in ("environmental", "social"):
        services.commitment_save(**who, application=application, area=areas[code], text="Do.")
    return services.application_submit(**who, application=application)


def _score_data(scheme, general="3", environmental="4", social="2.5"):
    return {
        f"{scheme.general.code}-score": general,
        f"{scheme.general.code}-comment": "A named lead in every directorate.",
        f"{scheme.general.code}-private_note": "Private: I know the lead.",
        f"{scheme.environmental.code}-score": environmental,
        f"{scheme.environmental.code}-comment": "Mileage down 12%.",
        f"{scheme.environmental.code}-private_note": "",
        f"{scheme.social.code}-score": social,
        f"{scheme.social.code}-comment": "Good volunteering.",
        f"{scheme.social.code}-private_note": "Private: check the hours.",
    }


# --- The happy path ------------------------------------------------------------------------


def test_assign_declare_and_score_through_the_pages(client, cast_a, scheme_a, login):
    application = _submitted_with_evidence(cast_a, scheme_a)
    login(cast_a.tenant_admin)
    page = client.get(_url("application_assessors", cast_a, application.pk))
    assert page.status_code == 200
    assert cast_a.assessor.email in page.content.decode()
    response = client.post(
        _url("application_assessors", cast_a, application.pk), {"assessor": cast_a.assessor.pk}
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assignment = AssessorAssignment.objects.get(application=application)
        application.refresh_from_db()
    assert assignment.assessor == cast_a.assessor and application.status == S.IN_ASSESSMENT

    login(cast_a.assessor)
    worklist = client.get(_url("assessor_worklist", cast_a)).content.decode()
    assert cast_a.organisation.name in worklist
    assert _url("assessment_declare", cast_a, assignment.pk) in worklist
    # Before declaring, the scoring page sends the assessor to the declaration.
    response = client.get(_url("assessment_score", cast_a, assignment.pk))
    assert response.status_code == 302
    assert response.url == _url("assessment_declare", cast_a, assignment.pk)
    declare = client.get(_url("assessment_declare", cast_a, assignment.pk)).content.decode()
    assert cast_a.organisation.name in declare
    assert "fleet mileage by 12%" not in declare  # the answers wait for the declaration
    response = client.post(
        _url("assessment_declare", cast_a, assignment.pk), {"conflict": "none", "note": ""}
    )
    assert response.status_code == 302
    assert response.url == _url("assessment_score", cast_a, assignment.pk)

    page = client.get(_url("assessment_score", cast_a, assignment.pk)).content.decode()
    assert "We cut fleet mileage by 12% in Wirral in 2022/23." in page  # the answer
    assert "Excellent evidence" in page and "No evidence" in page  # the rubric's descriptors
    assert "From 0 (No evidence) to 4 (Excellent evidence)." in page  # beside each score
    assert "fleet-mileage.pdf" in page
    try:
        with tenant_context(cast_a.tenant.id):
            evidence = application.evidence_files.get()
        assert _url("award_evidence_download", cast_a, evidence.pk) in page
    except NoReverseMatch:  # the applicant pages are not merged yet
        pass
    assert "Halve waste" in page  # commitments
    assert "You have scored 0 of 3 questions" in page

    response = client.post(_url("assessment_score", cast_a, assignment.pk), _score_data(scheme_a))
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        scores = {s.criterion_id: s for s in Score.objects.filter(assignment=assignment)}
    assert {k: str(v.score) for k, v in scores.items()} == {
        scheme_a.general.pk: "3.00",
        scheme_a.environmental.pk: "4.00",
        scheme_a.social.pk: "2.50",
    }
    assert scores[scheme_a.social.pk].private_note == "Private: check the hours."
    page = client.get(_url("assessment_score", cast_a, assignment.pk)).content.decode()
    assert "You have scored 3 of 3 questions" in page
    assert 'value="2.5"' in page


def test_dashboard_filters_searches_and_shows_the_decision_clock(client, cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        first = _submitted_for(cast_a, scheme_a, "Wirral Community Trust")
        second = _submitted_for(cast_a, scheme_a, "Halton Borough Council")
        draft(cast_a, scheme_a, complete=False)  # the cast's organisation, a draft
        # One due long ago (overdue), one far ahead.
        Application.objects.filter(pk=first.pk).update(decision_due=date(2020, 1, 6))
        Application.objects.filter(pk=second.pk).update(decision_due=date(2099, 1, 5))
    login(cast_a.tenant_admin)
    page = client.get(_url("award_dashboard", cast_a)).content.decode()
    assert "3 applications" in page
    assert "Wirral Community Trust" in page and "Halton Borough Council" in page
    assert "Overdue" in page and "working days overdue" in page
    assert "working days left" in page
    assert page.index("Wirral Community Trust") < page.index("Halton Borough Council")
    try:
        assert _url("application_detail", cast_a, first.pk) in page
    except NoReverseMatch:
        pass
    page = client.get(_url("award_dashboard", cast_a), {"q": "halton"}).content.decode()
    assert "1 application " in page and "Halton Borough Council" in page
    assert "Wirral Community Trust" not in page
    page = client.get(_url("award_dashboard", cast_a), {"status": "draft"}).content.decode()
    assert "1 application: draft" in page and cast_a.organisation.name in page
    assert "Halton" not in page
    page = client.get(
        _url("award_dashboard", cast_a), {"scheme": str(scheme_a.version.scheme_id)}
    ).content.decode()
    assert "3 applications" in page
    page = client.get(_url("award_dashboard", cast_a), {"q": "nobody"}).content.decode()
    assert "No applications match" in page


def test_dashboard_paginates_and_counts_appeals_waiting(client, cast_a, scheme_a, login):
    from awards.views import dashboard

    with tenant_context(cast_a.tenant.id):
        for n in range(3):
            _submitted_for(cast_a, scheme_a, f"Organisation {n}")
        # The cast's organisation: decided, not awarded, appealed.
        application = in_assessment(cast_a, scheme_a)
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 0, scheme_a.environmental: 0, scheme_a.social: 0},
        )
        admin = as_user(cast_a, cast_a.tenant_admin)
        services.decision_send(
            **admin, decision=services.decision_draft(**admin, application=application)
        )
        services.appeal_lodge(
            **as_user(cast_a, cast_a.organisation_admin),
            application=application,
            reasons="Overlooked",
        )
    login(cast_a.tenant_admin)
    old = dashboard.PAGE_SIZE
    dashboard.PAGE_SIZE = 2
    try:
        page = client.get(_url("award_dashboard", cast_a)).content.decode()
        second = client.get(_url("award_dashboard", cast_a), {"page": 2}).content.decode()
    finally:
        dashboard.PAGE_SIZE = old
    assert "4 applications" in page and 'aria-label="Pagination"' in page
    assert "1 appeal is waiting for a panel decision" in page
    rows = page.count('class="nhsuk-table__row"') - 1
    assert rows == 2 and second.count('class="nhsuk-table__row"') - 1 == 2


# --- Assessors and more information ----------------------------------------------------------


def test_assigning_needs_a_choice_and_an_assessor_can_be_taken_off(client, cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
    login(cast_a.tenant_admin)
    url = _url("application_assessors", cast_a, application.pk)
    response = client.post(url, {"assessor": ""})
    assert response.status_code == 200 and "Choose an assessor." in response.content.decode()
    # Someone without the assessor role is not offered, and refused if forged.
    response = client.post(url, {"assessor": cast_a.board_reporter.pk})
    assert "Choose an assessor." in response.content.decode()
    client.post(url, {"assessor": cast_a.assessor.pk})
    with tenant_context(cast_a.tenant.id):
        assignment = AssessorAssignment.objects.get(application=application)
    remove = _url("application_assessor_remove", cast_a, application.pk, assignment.pk)
    confirm = client.get(remove).content.decode()
    assert f"Take {cast_a.assessor} off this application?" in confirm
    with tenant_context(cast_a.tenant.id):
        assert AssessorAssignment.objects.filter(pk=assignment.pk).exists()
    response = client.post(remove)
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert not AssessorAssignment.objects.filter(pk=assignment.pk).exists()


def test_an_assessor_who_has_scored_stays_assigned(client, cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        score_all(cast_a, application, cast_a.assessor, {scheme_a.general: 3})
        assignment = AssessorAssignment.objects.get(application=application)
    login(cast_a.tenant_admin)
    response = client.post(
        _url("application_assessor_remove", cast_a, application.pk, assignment.pk)
    )
    assert response.status_code == 200
    assert "This assessor has started scoring" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert AssessorAssignment.objects.filter(pk=assignment.pk).exists()


def test_asking_for_more_information(client, cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
    login(cast_a.tenant_admin)
    url = _url("information_request", cast_a, application.pk)
    response = client.post(url, {"request": "  "})
    assert "Say what more information the applicant must give." in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT
    response = client.post(url, {"request": "Send the 2022/23 fleet mileage figures."})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
    assert application.status == S.MORE_INFORMATION_REQUESTED
    assert application.information_requested == "Send the 2022/23 fleet mileage figures."
    # Now with the applicant, it cannot be sent back again.
    page = client.get(url).content.decode()
    assert "only an application in assessment can go back" in page


# --- Declaring interests and scoring: refusals and bad input ----------------------------------


def test_a_conflicted_assessor_sees_the_application_no_more(client, cast_a, scheme_a, login):
    application = _submitted_with_evidence(cast_a, scheme_a)
    with tenant_context(cast_a.tenant.id):
        assignment = services.assessor_assign(
            **as_user(cast_a, cast_a.tenant_admin),
            application=application,
            assessor=cast_a.assessor,
        )
        evidence = application.evidence_files.get()
    login(cast_a.assessor)
    url = _url("assessment_declare", cast_a, assignment.pk)
    response = client.post(url, {"conflict": "conflicted", "note": ""})
    assert "Describe the conflict of interest." in response.content.decode()
    response = client.post(url, {"conflict": "conflicted", "note": "My sister is the CEO."})
    assert response.status_code == 302 and response.url == _url("assessor_worklist", cast_a)
    with tenant_context(cast_a.tenant.id):
        assignment.refresh_from_db()
    assert assignment.conflict == Conflict.CONFLICTED
    assert client.get(_url("assessment_score", cast_a, assignment.pk)).status_code == 404
    assert client.get(url).status_code == 404
    assert (
        client.post(
            _url("assessment_score", cast_a, assignment.pk), _score_data(scheme_a)
        ).status_code
        == 404
    )
    assert (
        cast_a.organisation.name
        not in client.get(_url("assessor_worklist", cast_a)).content.decode()
    )
    for name, pk in (
        ("application_detail", application.pk),
        ("award_evidence_download", evidence.pk),
    ):
        try:
            target = _url(name, cast_a, pk)
        except NoReverseMatch:  # the applicant pages are not merged yet
            continue
        assert client.get(target).status_code in (403, 404), name
    with tenant_context(cast_a.tenant.id):
        assert not Score.objects.exists()


def test_a_score_outside_the_scale_names_the_question_and_saves_nothing(
    client, cast_a, scheme_a, login
):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        assignment = AssessorAssignment.objects.get(application=application)
    login(cast_a.assessor)
    url = _url("assessment_score", cast_a, assignment.pk)
    response = client.post(url, _score_data(scheme_a, environmental="7"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Question 2: Enter a score from 0 to 4." in page
    assert f'href="#id_{scheme_a.environmental.code}-score"' in page  # the summary links to it
    response = client.post(url, _score_data(scheme_a, general="lots"))
    assert "Question 1: Enter a score from 0 to 4." in response.content.decode()
    data = _score_data(scheme_a, social="")
    response = client.post(url, data)
    assert "Enter a score for question 3." in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert not Score.objects.exists()  # all or nothing


def test_who_may_not_open_the_assessor_pages(client, cast_a, cast_b, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        assignment = AssessorAssignment.objects.get(application=application)
        other_assessor = person(cast_a, Role.ASSESSOR)
    score_url = _url("assessment_score", cast_a, assignment.pk)
    declare_url = _url("assessment_declare", cast_a, assignment.pk)
    # The applicant's admin: not an assessor.
    login(cast_a.organisation_admin)
    for url in (score_url, declare_url, _url("assessor_worklist", cast_a)):
        assert client.get(url).status_code == 403, url
    assert client.post(score_url, _score_data(scheme_a)).status_code == 403
    # Another assessor, not assigned: the assignment is not theirs.
    login(other_assessor)
    assert client.get(score_url).status_code == 404
    assert client.get(declare_url).status_code == 404
    assert client.post(score_url, _score_data(scheme_a)).status_code == 404
    assert (
        cast_a.organisation.name
        not in client.get(_url("assessor_worklist", cast_a)).content.decode()
    )
    # The programme team manages, but does not score.
    login(cast_a.tenant_admin)
    assert client.get(score_url).status_code == 403
    # Another tenant's assessor.
    login(cast_b.assessor)
    assert client.get(score_url).status_code == 403  # no role in cast_a's programme
    assert client.get(_url("assessment_score", cast_b, assignment.pk)).status_code == 404
    with tenant_context(cast_a.tenant.id):
        assert not Score.objects.exists()


def test_who_may_not_open_the_programme_team_pages(client, cast_a, cast_b, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
    pages = [
        _url("award_dashboard", cast_a),
        _url("application_assessors", cast_a, application.pk),
        _url("information_request", cast_a, application.pk),
    ]
    for who in (cast_a.organisation_admin, cast_a.assessor, cast_a.board_reporter):
        login(who)
        for url in pages:
            assert client.get(url).status_code == 403, (who, url)
        response = client.post(pages[1], {"assessor": cast_a.assessor.pk})
        assert response.status_code == 403
    login(cast_b.tenant_admin)
    for url in pages:
        assert client.get(url).status_code == 403, url  # no role in cast_a's programme
    for name in ("application_assessors", "information_request"):
        assert client.get(_url(name, cast_b, application.pk)).status_code == 404, name
    response = client.post(
        _url("application_assessors", cast_b, application.pk), {"assessor": cast_b.assessor.pk}
    )
    assert response.status_code == 404
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
        assert not AssessorAssignment.objects.filter(application=application).exists()
    assert application.status == S.SUBMITTED


def test_the_scoring_page_never_shows_another_assessors_private_note(
    client, cast_a, scheme_a, login
):
    with tenant_context(cast_a.tenant.id):
        second = person(cast_a, Role.ASSESSOR)
        application = in_assessment(cast_a, scheme_a, assessors=[cast_a.assessor, second])
        score_all(cast_a, application, second, {scheme_a.general: 2}, note="Second's secret")
        assignment = AssessorAssignment.objects.get(
            application=application, assessor=cast_a.assessor
        )
    login(cast_a.assessor)
    page = client.get(_url("assessment_score", cast_a, assignment.pk)).content.decode()
    assert "Second&#x27;s secret" not in page and "Second's secret" not in page
    assert "Comment on" not in page


# --- Query counts ------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_queries_for_one_or_many_applications(
    client, cast_a, scheme_a, login, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        _submitted_for(cast_a, scheme_a, "First")
    login(cast_a.tenant_admin)
    url = _url("award_dashboard", cast_a)
    one = _count(client, url)
    with tenant_context(cast_a.tenant.id):
        for n in range(4):
            _submitted_for(cast_a, scheme_a, f"More {n}")
        in_assessment(cast_a, scheme_a)
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200
    # About 13 for the session, the tenant, roles, two-factor and the navigation; the page's
    # own: schemes (the filter), a count, one page of applications, appeals waiting.
    assert one <= 17


def test_the_worklist_runs_the_same_queries_for_one_or_many_assignments(
    client, cast_a, scheme_a, login, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        in_assessment(cast_a, scheme_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
    login(cast_a.assessor)
    url = _url("assessor_worklist", cast_a)
    one = _count(client, url)
    with tenant_context(cast_a.tenant.id):
        for n in range(4):
            application = _submitted_for(cast_a, scheme_a, f"More {n}")
            services.assessor_assign(**admin, application=application, assessor=cast_a.assessor)
    page = client.get(url).content.decode()
    assert "5 applications to assess" in page and "Declare interests" in page
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200
    assert one <= 17  # the page's own: a count, one page of assignments, their questions
