"""The pages that end an assessment: the whole journey through the pages (assign, declare,
score, moderation with the spread, draft, edit the letter, send: awarded), moderation, the
decision's edits and refusals, who is refused, applicants never seeing private notes, and the
number of queries of the moderation page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from awards import services
from awards.models import (
    ApplicationStatus,
    AssessorAssignment,
    Award,
    Decision,
    DecisionStatus,
    Score,
)
from tenancy.context import tenant_context
from tenancy.models import Role
from tests.awards_builders import as_user, in_assessment, open_scheme, person, score_all

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _url(name, cast, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


def _scores(scheme, general, environmental, social, note):
    data = {}
    for criterion, score in (
        (scheme.general, general),
        (scheme.environmental, environmental),
        (scheme.social, social),
    ):
        data[f"{criterion.code}-score"] = score
        data[f"{criterion.code}-comment"] = f"Well evidenced ({criterion.code})."
        data[f"{criterion.code}-private_note"] = note
    return data


def _scored(cast, scheme, scores=((4, 4, 3), (3, 2, 4))):
    """In assessment with the cast's assessor and a second one, both clear and scored."""
    with tenant_context(cast.tenant.id):
        second = person(cast, Role.ASSESSOR)
        application = in_assessment(cast, scheme, assessors=[cast.assessor, second])
        for assessor, (general, environmental, social) in zip(
            (cast.assessor, second), scores, strict=True
        ):
            score_all(
                cast,
                application,
                assessor,
                {
                    scheme.general: general,
                    scheme.environmental: environmental,
                    scheme.social: social,
                },
                note="Private: met the CEO.",
            )
    return application


def _drafted(cast, scheme, **kwargs):
    application = _scored(cast, scheme, **kwargs)
    with tenant_context(cast.tenant.id):
        services.decision_draft(**as_user(cast, cast.tenant_admin), application=application)
    return application


# --- The whole journey through the pages ---------------------------------------------------


def test_assess_moderate_draft_edit_and_send_through_the_pages(client, cast_a, scheme_a, login):
    from tests.awards_builders import submitted

    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
        second = person(cast_a, Role.ASSESSOR)
    login(cast_a.tenant_admin)
    assessors_url = _url("application_assessors", cast_a, application.pk)
    for assessor in (cast_a.assessor, second):
        assert client.post(assessors_url, {"assessor": assessor.pk}).status_code == 302
    with tenant_context(cast_a.tenant.id):
        assignments = {
            a.assessor_id: a for a in AssessorAssignment.objects.filter(application=application)
        }
    for assessor, scores, note in (
        (cast_a.assessor, ("4", "4", "3"), "First's private note"),
        (second, ("3", "2", "4"), "Second's private note"),
    ):
        login(assessor)
        assignment = assignments[assessor.pk]
        response = client.post(
            _url("assessment_declare", cast_a, assignment.pk), {"conflict": "none"}
        )
        assert response.status_code == 302
        response = client.post(
            _url("assessment_score", cast_a, assignment.pk), _scores(scheme_a, *scores, note)
        )
        assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert Score.objects.filter(assignment__application=application).count() == 6

    login(cast_a.tenant_admin)
    page = client.get(_url("moderation", cast_a, application.pk)).content.decode()
    # Environmental: 4 and 2, spread 2 (half the 0-4 scale: wide); general 4 and 3, spread 1.
    assert "Scores side by side" in page and "Wide" in page
    assert 'Spread </span>2 <strong class="nhsuk-tag nhsuk-tag--orange">Wide' in page
    assert "Spread </span>1</td>" in page
    assert "84.37%" in page and "Meets the pass mark" in page
    assert "First&#x27;s private note" in page  # the programme team sees private notes

    draft_url = _url("decision_draft", cast_a, application.pk)
    assert client.post(draft_url, {"action": "draft"}).status_code == 302
    page = client.get(draft_url).content.decode()
    with tenant_context(cast_a.tenant.id):
        decision = Decision.objects.get(application=application)
    assert decision.outcome == "awarded" and "private note" not in decision.feedback_letter
    assert f"Well evidenced ({scheme_a.general.code})." in decision.feedback_letter
    assert "Save and check before sending" in page
    letter = decision.feedback_letter + "\n\nP.S. Congratulations from the whole team."
    response = client.post(
        draft_url,
        {
            "action": "save",
            "outcome": "awarded",
            "category_codes": ["environment"],
            "override_reason": "",
            "feedback_letter": letter,
            "next": "send",
        },
    )
    assert response.status_code == 302
    assert response.url == _url("decision_send", cast_a, application.pk)
    with tenant_context(cast_a.tenant.id):
        decision.refresh_from_db()
    assert decision.category_codes == ["environment"]
    assert decision.feedback_letter.endswith("Congratulations from the whole team.")

    send_url = _url("decision_send", cast_a, application.pk)
    confirm = client.get(send_url).content.decode()
    assert "Congratulations from the whole team." in confirm and "Environment" in confirm
    assert "private note" not in confirm
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT  # nothing sent by looking
    response = client.post(send_url)
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
        decision.refresh_from_db()
        award = Award.objects.get(application=application)
    assert application.status == S.AWARDED and decision.status == DecisionStatus.SENT
    assert award.level_id == scheme_a.bronze.pk and award.category_codes == ["environment"]
    # Sent: the decision page is read-only and the send page sends nothing more.
    page = client.get(draft_url).content.decode()
    assert "Congratulations from the whole team." in page and "Save the draft" not in page
    assert client.get(send_url).status_code == 302

    # The applicant never sees the private notes.
    login(cast_a.organisation_admin)
    try:
        detail = _url("application_detail", cast_a, application.pk)
    except NoReverseMatch:  # the applicant pages are not merged yet
        detail = None
    if detail is not None:
        response = client.get(detail)
        assert response.status_code == 200
        body = response.content.decode()
        assert "private note" not in body and "Private: met" not in body
    for name in ("moderation", "decision_draft", "decision_send"):
        assert client.get(_url(name, cast_a, application.pk)).status_code == 403, name


# --- Moderation and the decision's edits ---------------------------------------------------


def test_moderation_lists_what_is_missing_and_drafting_is_refused_until_complete(
    client, cast_a, scheme_a, login
):
    with tenant_context(cast_a.tenant.id):
        second = person(cast_a, Role.ASSESSOR)
        application = in_assessment(cast_a, scheme_a, assessors=[cast_a.assessor])
        services.assessor_assign(
            **as_user(cast_a, cast_a.tenant_admin), application=application, assessor=second
        )
        score_all(cast_a, application, cast_a.assessor, {scheme_a.general: 3})
    login(cast_a.tenant_admin)
    page = client.get(_url("moderation", cast_a, application.pk)).content.decode()
    assert "The assessment is not complete" in page
    assert f"{second} has not declared their interests." in page
    assert f"{cast_a.assessor} has scored 1 of 3 questions." in page
    response = client.post(_url("decision_draft", cast_a, application.pk), {"action": "draft"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "has scored 1 of 3 questions" in body
    with tenant_context(cast_a.tenant.id):
        assert not Decision.objects.exists()


def test_an_outcome_against_the_pass_rule_needs_a_reason(client, cast_a, scheme_a, login):
    application = _drafted(cast_a, scheme_a)
    login(cast_a.tenant_admin)
    url = _url("decision_draft", cast_a, application.pk)
    with tenant_context(cast_a.tenant.id):
        letter = Decision.objects.get().feedback_letter
    data = {"action": "save", "outcome": "not_awarded", "feedback_letter": letter}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The score is 84.37% against a pass mark of 80.00%: say why the outcome differs." in (
        body
    )
    assert 'href="#id_override_reason"' in body
    response = client.post(url, {**data, "feedback_letter": "  "})
    assert "Write the feedback letter." in response.content.decode()
    response = client.post(
        url, {**data, "category_codes": ["environment"], "override_reason": "Evidence thin"}
    )
    assert "Categories apply only to an award." in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        decision = Decision.objects.get()
    assert decision.outcome == "awarded" and decision.override_reason == ""
    response = client.post(url, {**data, "override_reason": "The evidence is thin."})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        decision.refresh_from_db()
    assert decision.outcome == "not_awarded" and decision.override_reason


def test_sending_is_refused_when_the_scores_changed_since_the_draft(
    client, cast_a, scheme_a, login
):
    application = _drafted(cast_a, scheme_a)
    with tenant_context(cast_a.tenant.id):
        score_all(cast_a, application, cast_a.assessor, {scheme_a.general: 0})
    login(cast_a.tenant_admin)
    response = client.post(_url("decision_send", cast_a, application.pk))
    assert response.status_code == 200
    assert "The scores have changed since the letter was drafted" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
        assert Decision.objects.get().status == DecisionStatus.DRAFT
        assert not Award.objects.exists()
    assert application.status == S.IN_ASSESSMENT


def test_sending_without_a_draft_goes_back_to_drafting(client, cast_a, scheme_a, login):
    application = _scored(cast_a, scheme_a)
    login(cast_a.tenant_admin)
    response = client.post(_url("decision_send", cast_a, application.pk))
    assert response.status_code == 302
    assert response.url == _url("decision_draft", cast_a, application.pk)
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT


# --- Who is refused ----------------------------------------------------------------------


def test_who_may_not_moderate_draft_or_send(client, cast_a, cast_b, scheme_a, login):
    application = _drafted(cast_a, scheme_a)
    with tenant_context(cast_a.tenant.id):
        before = Decision.objects.get().feedback_letter
    names = ("moderation", "decision_draft", "decision_send")
    for who in (cast_a.organisation_admin, cast_a.assessor, cast_a.organisation_member):
        login(who)
        for name in names:
            assert client.get(_url(name, cast_a, application.pk)).status_code == 403, name
        assert client.post(_url("decision_send", cast_a, application.pk)).status_code == 403
        response = client.post(
            _url("decision_draft", cast_a, application.pk),
            {"action": "save", "outcome": "awarded", "feedback_letter": "Hacked"},
        )
        assert response.status_code == 403
    login(cast_b.tenant_admin)
    for name in names:
        assert client.get(_url(name, cast_b, application.pk)).status_code == 404, name
        assert client.get(_url(name, cast_a, application.pk)).status_code == 403, name
    assert client.post(_url("decision_send", cast_b, application.pk)).status_code == 404
    with tenant_context(cast_a.tenant.id):
        decision = Decision.objects.get()
        application.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT and decision.feedback_letter == before
    assert application.status == S.IN_ASSESSMENT


# --- Query counts --------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_moderation_page_runs_the_same_queries_for_one_or_many_assessors(
    client, cast_a, cast_b, scheme_a, login, django_assert_max_num_queries
):
    one_assessor = _scored(cast_a, scheme_a, scores=((4, 4, 3), (3, 2, 4)))
    login(cast_a.tenant_admin)
    few = _count(client, _url("moderation", cast_a, one_assessor.pk))
    # The same page for a tenant whose application has four assessors, all scored.
    with tenant_context(cast_b.tenant.id):
        scheme_b = open_scheme(cast_b)
        extra = [person(cast_b, Role.ASSESSOR) for _ in range(3)]
        application = in_assessment(cast_b, scheme_b, assessors=[cast_b.assessor, *extra])
        for assessor in (cast_b.assessor, *extra):
            score_all(
                cast_b,
                application,
                assessor,
                {scheme_b.general: 2, scheme_b.environmental: 3, scheme_b.social: 4},
            )
    login(cast_b.tenant_admin)
    with django_assert_max_num_queries(few):
        page = client.get(_url("moderation", cast_b, application.pk))
    assert page.status_code == 200 and "Meets the pass mark" not in page.content.decode()
    # About 13 for the session, tenant, roles and navigation; the page's own: the application,
    # assignments, questions, scores, the decision.
    assert few <= 20
