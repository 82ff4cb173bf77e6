"""Assessment and decisions: assigning assessors, conflicts of interest, scoring within the
rubric, who may open an application, the pass rule worked by hand, the feedback letter (never
the private notes), more information and resubmission, and the award a decision makes."""

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards import selectors, services
from awards.models import Application, Award, Decision, Score
from awards.moderation import moderation
from awards.scoring import pass_rule
from awards.services.decisions import CODE_ALPHABET
from tenancy.context import tenant_context
from tenancy.models import Role
from tests import factories
from tests.awards_builders import (
    as_user,
    in_assessment,
    open_scheme,
    other_organisation_admin,
    person,
    score_all,
    submitted,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


# --- The pass rule, by hand ----------------------------------------------------------------


def test_pass_rule_weighted_mean_of_assessor_means_on_the_rubric_scale():
    # general (weight 2): 3 and 4 -> mean 3.5 -> 3.5/4 = 0.875
    # environmental (weight 1): 2 and 3 -> 2.5 -> 0.625; social (weight 1): 4 and 4 -> 1
    # (2 × 0.875 + 0.625 + 1) / 4 = 3.375 / 4 = 0.84375 -> 84.375%, shown cut to 84.37
    result = pass_rule(
        weights={"general": D(2), "environmental": D(1), "social": D(1)},
        scores={
            "general": [D(3), D(4)],
            "environmental": [D(2), D(3)],
            "social": [D(4), D(4)],
        },
        lowest=0,
        highest=4,
        pass_mark=D(80),
    )
    assert result.percent == D("84.37") and result.passed
    assert [(c.code, c.mean, c.spread) for c in result.criteria] == [
        ("general", D("3.50"), D(1)),
        ("environmental", D("2.50"), D(1)),
        ("social", D("4.00"), D(0)),
    ]


def test_pass_rule_at_and_just_below_the_mark_with_a_scale_starting_at_one():
    def percent(third):
        return pass_rule(
            weights={"a": D(1), "b": D(1), "c": D(1)},
            scores={"a": [D(5)], "b": [D(5)], "c": [D(third)]},
            lowest=1,
            highest=5,
            pass_mark=D(80),
        )

    # (1 + 1 + (2.6 - 1)/4) / 3 = (2 + 0.4) / 3 = 0.8 -> exactly 80%: a pass
    assert (percent("2.6").percent, percent("2.6").passed) == (D("80.00"), True)
    # (2 + 1.59/4) / 3 = 0.799166… -> 79.91%: a fail, never shown as 80.00
    assert (percent("2.59").percent, percent("2.59").passed) == (D("79.91"), False)
    with pytest.raises(ValueError):
        pass_rule(weights={"a": D(1)}, scores={}, lowest=0, highest=4, pass_mark=D(80))


# --- Assigning and conflicts ---------------------------------------------------------------


def test_first_assignment_moves_into_assessment_and_tells_the_assessor(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
        with django_capture_on_commit_callbacks(execute=True):
            services.assessor_assign(
                **as_user(cast_a, cast_a.tenant_admin),
                application=application,
                assessor=cast_a.assessor,
            )
        application.refresh_from_db()
        assert application.status == "in_assessment"
        assert application.events.last().from_status == "submitted"
    subjects = {m.subject: set(m.to) for m in mailoutbox}
    assert subjects[f"Please assess {cast_a.organisation.name}'s application for Bronze"] == {
        cast_a.assessor.email
    }
    assert subjects["Your application for Bronze is being assessed"] == {
        cast_a.organisation_admin.email,
        cast_a.organisation_member.email,
    }


def test_assignment_refusals(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        application = submitted(cast_a, scheme_a)
        with pytest.raises(PermissionDenied):
            services.assessor_assign(
                **as_user(cast_a, cast_a.assessor),
                application=application,
                assessor=cast_a.assessor,
            )
        with pytest.raises(ValidationError, match="assessor role"):
            services.assessor_assign(
                **admin, application=application, assessor=cast_a.board_reporter
            )
        insider = person(cast_a, Role.ASSESSOR)
        factories.MembershipFactory(
            tenant=cast_a.tenant,
            user=insider,
            role=Role.ORGANISATION_MEMBER,
            organisation=cast_a.organisation,
        )
        with pytest.raises(ValidationError, match="works for"):
            services.assessor_assign(**admin, application=application, assessor=insider)
        services.assessor_assign(**admin, application=application, assessor=cast_a.assessor)
        with pytest.raises(ValidationError, match="already assigned"):
            services.assessor_assign(**admin, application=application, assessor=cast_a.assessor)
        assert application.assignments.count() == 1


def test_a_conflict_is_declared_by_the_assessor_alone_and_is_final(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, scheme_a)
        assignment = services.assessor_assign(
            **as_user(cast_a, cast_a.tenant_admin),
            application=application,
            assessor=cast_a.assessor,
        )
        other_assessor = person(cast_a, Role.ASSESSOR)
        with pytest.raises(PermissionDenied):
            services.conflict_declare(
                **as_user(cast_a, other_assessor), assignment=assignment, conflicted=False
            )
        assessor = as_user(cast_a, cast_a.assessor)
        with pytest.raises(ValidationError) as error:
            services.conflict_declare(**assessor, assignment=assignment, conflicted=True)
        assert "note" in error.value.message_dict
        with django_capture_on_commit_callbacks(execute=True):
            services.conflict_declare(
                **assessor, assignment=assignment, conflicted=True, note="I was its trustee"
            )
        with pytest.raises(ValidationError, match="declared a conflict"):
            services.conflict_declare(**assessor, assignment=assignment, conflicted=False)
        assignment.refresh_from_db()
        assert (assignment.conflict, assignment.conflict_note) == (
            "conflicted",
            "I was its trustee",
        )
        view = selectors.application_get_for_user(
            tenant=cast_a.tenant, access=assessor["access"], user=cast_a.assessor, pk=application.pk
        )
        assert view is None
        assert not selectors.application_list(
            tenant=cast_a.tenant, access=assessor["access"], user=cast_a.assessor
        ).exists()
        with pytest.raises(PermissionDenied, match="conflict"):
            services.score_save(
                **assessor, application=application, criterion=scheme_a.general, score=3
            )
    assert [m.to for m in mailoutbox if "conflict" in m.subject] == [[cast_a.tenant_admin.email]]


# --- Who may open an application ---------------------------------------------------------


def test_who_may_open_an_application_and_what_they_may_do(cast_a, cast_b, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        undeclared = person(cast_a, Role.ASSESSOR)
        services.assessor_assign(
            **as_user(cast_a, cast_a.tenant_admin), application=application, assessor=undeclared
        )
        unassigned = person(cast_a, Role.ASSESSOR)

        def view(user):
            return selectors.application_get_for_user(
                tenant=cast_a.tenant,
                access=as_user(cast_a, user)["access"],
                user=user,
                pk=application.pk,
            )

        manager = view(cast_a.tenant_admin)
        assert manager.as_manager and manager.can_read and not manager.can_score
        org_admin = view(cast_a.organisation_admin)
        assert org_admin.as_applicant and org_admin.can_act_for_organisation
        assert not org_admin.can_edit  # in assessment
        member = view(cast_a.organisation_member)
        assert member.can_read and not member.can_act_for_organisation
        cleared = view(cast_a.assessor)
        assert cleared.can_read and cleared.can_score and not cleared.must_declare
        waiting = view(undeclared)
        assert waiting.must_declare and not waiting.can_read and not waiting.can_score
        for user in (unassigned, cast_a.board_reporter, cast_a.outsider):
            assert view(user) is None, user
        assert view(other_organisation_admin(cast_a)) is None
    with tenant_context(cast_b.tenant.id):
        for user in (cast_b.tenant_admin, cast_b.assessor):
            assert (
                selectors.application_get_for_user(
                    tenant=cast_b.tenant,
                    access=as_user(cast_b, user)["access"],
                    user=user,
                    pk=application.pk,
                )
                is None
            )


def test_application_list_is_scoped_in_one_query(cast_a, scheme_a, django_assert_max_num_queries):
    with tenant_context(cast_a.tenant.id):
        mine = in_assessment(cast_a, scheme_a)
        other_admin = other_organisation_admin(cast_a)
        theirs = services.application_start(
            **as_user(cast_a, other_admin),
            organisation=cast_a.other_organisation,
            version=scheme_a.version,
            level=scheme_a.bronze,
            area_codes=["social"],
        )

        def ids(user):
            access = as_user(cast_a, user)["access"]
            with django_assert_max_num_queries(1):
                rows = list(
                    selectors.application_list(tenant=cast_a.tenant, access=access, user=user)
                )
                return {a.pk for a in rows if a.organisation.name and a.level.name}

        assert ids(cast_a.tenant_admin) == {mine.pk, theirs.pk}
        assert ids(cast_a.organisation_member) == {mine.pk}
        assert ids(other_admin) == {theirs.pk}
        assert ids(cast_a.assessor) == {mine.pk}
        assert ids(cast_a.board_reporter) == set()


# --- Scoring -----------------------------------------------------------------------------


def test_scores_only_from_assigned_clear_assessors_within_the_scale(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        assessor = as_user(cast_a, cast_a.assessor)
        for bad in ("5", "-1", "three", "2.345", "NaN"):
            with pytest.raises(ValidationError) as error:
                services.score_save(
                    **assessor, application=application, criterion=scheme_a.general, score=bad
                )
            assert error.value.message_dict == {"score": ["Enter a score from 0 to 4."]}
        with pytest.raises(ValidationError, match="not part of this application"):
            services.score_save(
                **assessor, application=application, criterion=scheme_a.economic, score=3
            )
        for user in (person(cast_a, Role.ASSESSOR), cast_a.tenant_admin, cast_a.board_reporter):
            with pytest.raises(PermissionDenied):
                services.score_save(
                    **as_user(cast_a, user),
                    application=application,
                    criterion=scheme_a.general,
                    score=3,
                )
        assert not Score.objects.exists()
        score = services.score_save(
            **assessor,
            application=application,
            criterion=scheme_a.general,
            score="3.5",
            comment="Clear leadership",
            private_note="Knows the CEO",
        )
        assert score.score == D("3.50")
        services.score_save(
            **assessor, application=application, criterion=scheme_a.general, score=4
        )
        assert Score.objects.get().score == D(4)  # one score per assessor and criterion


# --- Moderation and the decision ------------------------------------------------------------


def _two_assessors(cast, scheme):
    second = person(cast, Role.ASSESSOR)
    application = in_assessment(cast, scheme, assessors=[cast.assessor, second])
    return application, second


def test_moderation_side_by_side_and_the_decision_by_hand(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application, second = _two_assessors(cast_a, scheme_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 3, scheme_a.environmental: 2, scheme_a.social: 4},
        )
        with pytest.raises(ValidationError) as error:
            services.decision_draft(**admin, application=application)
        assert f"{second} has scored 0 of 3 questions." in error.value.messages
        score_all(
            cast_a,
            application,
            second,
            {scheme_a.general: 4, scheme_a.environmental: 3, scheme_a.social: 4},
            note="SECRET: do not share",
        )
        result = moderation(tenant=cast_a.tenant, application=application)
        assert [r.criterion for r in result.rows] == [
            scheme_a.general,
            scheme_a.environmental,
            scheme_a.social,
        ]
        assert [[s.score for s in r.scores] for r in result.rows] == [
            [D(3), D(4)],
            [D(2), D(3)],
            [D(4), D(4)],
        ]
        assert [(r.mean, r.spread) for r in result.rows] == [
            (D("3.50"), D(1)),
            (D("2.50"), D(1)),
            (D("4.00"), D(0)),
        ]
        decision = services.decision_draft(**admin, application=application)
        assert (decision.outcome, decision.score_percent, decision.meets_pass_mark) == (
            "awarded",
            D("84.37"),
            True,
        )
        letter = decision.feedback_letter
        assert f"Dear {cast_a.organisation.name}," in letter
        assert "84.37% overall, against a pass mark of 80.00%" in letter
        assert "has been awarded Bronze" in letter
        assert "Score: 3.50 out of 4 (Excellent evidence)" in letter  # 3.5 rounds to 4
        assert f"- Comment on {scheme_a.general.code}" in letter
        assert "SECRET" not in letter and "Private" not in letter
        with pytest.raises(ValidationError) as error:
            services.decision_update(
                **admin,
                decision=decision,
                outcome="not_awarded",
                feedback_letter=letter,
            )
        assert "override_reason" in error.value.message_dict
        decision = services.decision_update(
            **admin,
            decision=decision,
            outcome="awarded",
            feedback_letter=letter + "\nWell done.",
            category_codes=["environment"],
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.decision_send(**admin, decision=decision)
        application.refresh_from_db()
        assert application.status == "awarded" and application.decided_at is not None
        award = Award.objects.get(application=application)
        today = timezone.localdate()
        assert (award.awarded_on, award.expires_on) == (today, today + relativedelta(years=5))
        assert award.level == scheme_a.bronze and award.category_codes == ["environment"]
        assert len(award.verification_code) == 12
        assert set(award.verification_code) <= set(CODE_ALPHABET)
        assert award.certificate_status == "ready"
        with pytest.raises(ValidationError, match="already been sent"):
            services.decision_send(**admin, decision=decision)
    letters = [m for m in mailoutbox if "has been awarded Bronze" in m.subject]
    assert len(letters) == 1
    assert set(letters[0].to) == {cast_a.organisation_admin.email, cast_a.organisation_member.email}
    assert "Well done." in letters[0].body and "SECRET" not in letters[0].body


def test_a_conflicted_assessors_scores_no_longer_count(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application, second = _two_assessors(cast_a, scheme_a)
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 4, scheme_a.environmental: 4, scheme_a.social: 4},
        )
        score_all(
            cast_a,
            application,
            second,
            {scheme_a.general: 0, scheme_a.environmental: 0, scheme_a.social: 0},
        )
        services.conflict_declare(
            **as_user(cast_a, second),
            assignment=application.assignments.get(assessor=second),
            conflicted=True,
            note="Found out later: former employer",
        )
        result = moderation(tenant=cast_a.tenant, application=application)
        assert result.result.percent == D("100.00")
        assert [a.assessor for a in result.conflicted] == [second]


def test_changed_scores_after_drafting_stop_the_send(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 4, scheme_a.environmental: 4, scheme_a.social: 4},
        )
        decision = services.decision_draft(**admin, application=application)
        score_all(cast_a, application, cast_a.assessor, {scheme_a.social: 0})
        with pytest.raises(ValidationError, match="draft the decision again"):
            services.decision_send(**admin, decision=decision)
        application.refresh_from_db()
        decision.refresh_from_db()
        assert (application.status, decision.status) == ("in_assessment", "draft")
        assert not Award.objects.exists()
        decision = services.decision_draft(**admin, application=application)
        assert (decision.score_percent, decision.outcome) == (D("75.00"), "not_awarded")
        services.decision_send(**admin, decision=decision)
        application.refresh_from_db()
        assert application.status == "not_awarded" and not Award.objects.exists()


@pytest.mark.parametrize("who", ["assessor", "board_reporter", "organisation_admin"])
def test_only_the_tenant_admin_decides(cast_a, scheme_a, who):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 4, scheme_a.environmental: 4, scheme_a.social: 4},
        )
        user = as_user(cast_a, getattr(cast_a, who))
        with pytest.raises(PermissionDenied):
            services.decision_draft(**user, application=application)
        decision = services.decision_draft(
            **as_user(cast_a, cast_a.tenant_admin), application=application
        )
        with pytest.raises(PermissionDenied):
            services.decision_send(**user, decision=decision)
        with pytest.raises(PermissionDenied):
            services.information_request(**user, application=application, request="More")
        application.refresh_from_db()
        assert application.status == "in_assessment"
        assert Decision.objects.get().status == "draft"


def test_more_information_then_resubmission_then_decision(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        applicant = as_user(cast_a, cast_a.organisation_admin)
        with pytest.raises(ValidationError, match="cannot be resubmitted|only one sent back"):
            services.application_resubmit(**applicant, application=application)
        with django_capture_on_commit_callbacks(execute=True):
            application = services.information_request(
                **admin, application=application, request="Say how many volunteers, and where."
            )
        assert application.status == "more_information_requested"
        assert application.information_requested == "Say how many volunteers, and where."
        with pytest.raises(ValidationError, match="cannot be scored now"):
            services.score_save(
                **as_user(cast_a, cast_a.assessor),
                application=application,
                criterion=scheme_a.general,
                score=3,
            )
        services.answer_save(
            **as_user(cast_a, cast_a.organisation_member),
            application=application,
            criterion=scheme_a.social,
            text="Forty volunteers from Birkenhead and Wallasey gave 600 hours.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            application = services.application_resubmit(
                **applicant, application=application, note="Added the numbers."
            )
        assert application.status == "resubmitted"
        score_all(
            cast_a,
            application,
            cast_a.assessor,
            {scheme_a.general: 4, scheme_a.environmental: 3, scheme_a.social: 4},
        )
        decision = services.decision_draft(**admin, application=application)
        services.decision_send(**admin, decision=decision)
        application.refresh_from_db()
        assert application.status == "awarded"
        assert [(e.from_status, e.to_status) for e in application.events.all()] == [
            ("", "draft"),
            ("draft", "submitted"),
            ("submitted", "in_assessment"),
            ("in_assessment", "more_information_requested"),
            ("more_information_requested", "resubmitted"),
            ("resubmitted", "awarded"),
        ]
    requested = [m for m in mailoutbox if m.subject.startswith("More information")]
    assert "Say how many volunteers, and where." in requested[0].body
    resubmitted = [m for m in mailoutbox if "sent the information" in m.subject]
    assert set(resubmitted[0].to) == {cast_a.tenant_admin.email, cast_a.assessor.email}


def test_a_tenant_b_admin_cannot_decide_tenant_a(cast_a, cast_b, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = in_assessment(cast_a, scheme_a)
    with tenant_context(cast_b.tenant.id):
        with pytest.raises(PermissionDenied):
            services.information_request(
                **as_user(cast_b, cast_b.tenant_admin), application=application, request="B"
            )
        with pytest.raises(PermissionDenied):
            services.assessor_assign(
                **as_user(cast_b, cast_b.tenant_admin),
                application=application,
                assessor=cast_b.assessor,
            )
    with tenant_context(cast_a.tenant.id):
        assert Application.objects.get(pk=application.pk).status == "in_assessment"
        assert application.assignments.count() == 1
