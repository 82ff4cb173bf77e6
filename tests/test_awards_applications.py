"""Applications by the organisation: start, autosaved answers, commitments and KVIs, the list
of what is missing, submit, withdraw and renew; who is refused, with nothing changed."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards import services
from awards.models import Application, ApplicationAnswer, ApplicationEvent, AreasRule
from awards.rules import application_missing
from awards.working_days import add_working_days
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.awards_builders import (
    as_user,
    decided,
    draft,
    kvi_for,
    open_scheme,
    other_organisation_admin,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


def _start(cast, user, scheme, **kwargs):
    return services.application_start(
        **as_user(cast, user),
        organisation=kwargs.pop("organisation", cast.organisation),
        version=kwargs.pop("version", scheme.version),
        level=kwargs.pop("level", scheme.bronze),
        **kwargs,
    )


def test_an_organisation_admin_starts_a_draft_recorded_in_the_history(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = _start(
            cast_a, cast_a.organisation_admin, scheme_a, area_codes=["social", "environmental"]
        )
        assert application.status == "draft"
        assert application.area_codes == ["environmental", "social"]  # the scheme's order
        assert application.scheme_id == scheme_a.version.scheme_id
        event = ApplicationEvent.objects.get(application=application)
        assert (event.from_status, event.to_status, event.actor) == (
            "",
            "draft",
            cast_a.organisation_admin,
        )
        assert AuditEvent.objects.filter(
            verb="award_application.started", object_id=application.pk
        ).exists()


@pytest.mark.parametrize("who", ["organisation_member", "assessor", "board_reporter", "outsider"])
def test_only_the_organisations_admin_may_start(cast_a, scheme_a, who):
    with tenant_context(cast_a.tenant.id):
        with pytest.raises(PermissionDenied):
            _start(cast_a, getattr(cast_a, who), scheme_a)
        other_admin = other_organisation_admin(cast_a)
        with pytest.raises(PermissionDenied):
            _start(cast_a, other_admin, scheme_a)  # for cast_a.organisation
        assert not Application.objects.exists()


def test_start_refusals_closed_version_wrong_level_second_application(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        copy = services.scheme_version_copy(**admin, version=scheme_a.version)
        with pytest.raises(ValidationError, match="not open"):
            _start(cast_a, cast_a.organisation_admin, scheme_a, version=copy)
        with pytest.raises(ValidationError, match="levels"):
            _start(cast_a, cast_a.organisation_admin, scheme_a, level=copy.levels.first())
        _start(cast_a, cast_a.organisation_admin, scheme_a, area_codes=["social"])
        with pytest.raises(ValidationError, match="already has an application"):
            _start(cast_a, cast_a.organisation_admin, scheme_a, level=scheme_a.level_one)
        with pytest.raises(ValidationError):
            _start(
                cast_a,
                other_organisation_admin(cast_a),
                scheme_a,
                organisation=cast_a.other_organisation,
                area_codes=["leadership"],
            )
        assert Application.objects.count() == 1


def test_windows_refuse_starting_outside_them(cast_a):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        future = open_scheme(
            cast_a, windows=[(today + timedelta(days=10), today + timedelta(days=40))]
        )
        with pytest.raises(ValidationError, match="next window opens"):
            _start(cast_a, cast_a.organisation_admin, future)
        assert not Application.objects.exists()


def test_every_area_rule_covers_all_areas(cast_a):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a, areas_rule=AreasRule.ALL)
        application = _start(cast_a, cast_a.organisation_admin, scheme, area_codes=["social"])
        assert application.area_codes == ["environmental", "social", "economic", "innovation"]
        with pytest.raises(ValidationError, match="every area"):
            services.application_areas_choose(
                **as_user(cast_a, cast_a.organisation_admin),
                application=application,
                area_codes=["social"],
            )


def test_autosave_writes_nothing_when_unchanged_and_audits_without_noise(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
        member = as_user(cast_a, cast_a.organisation_member)  # colleagues share the form
        answer = services.answer_save(
            **member, application=application, criterion=scheme_a.general, text="First go"
        )
        for text in ("First go, longer", "First go, longer still", "Final words here"):
            services.answer_save(
                **member, application=application, criterion=scheme_a.general, text=text
            )
        answer.refresh_from_db()
        assert (answer.text, answer.word_count) == ("Final words here", 3)
        edits = AuditEvent.objects.filter(verb="award_application.answer_edited")
        assert edits.count() == 1  # one per person and answer per quiet period
        before = answer.updated_at
        services.answer_save(
            **member, application=application, criterion=scheme_a.general, text="Final words here "
        )
        answer.refresh_from_db()
        assert answer.updated_at == before  # unchanged text: no write at all
        admin = as_user(cast_a, cast_a.organisation_admin)
        services.answer_save(
            **admin, application=application, criterion=scheme_a.general, text="Admin's words"
        )
        assert edits.count() == 2  # another person's edit is recorded


@pytest.mark.parametrize("who", ["assessor", "board_reporter", "tenant_admin", "outsider"])
def test_people_outside_the_organisation_cannot_answer(cast_a, scheme_a, who):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
        with pytest.raises(PermissionDenied):
            services.answer_save(
                **as_user(cast_a, getattr(cast_a, who)),
                application=application,
                criterion=scheme_a.general,
                text="Not mine to write",
            )
        with pytest.raises(PermissionDenied):
            services.answer_save(
                **as_user(cast_a, other_organisation_admin(cast_a)),
                application=application,
                criterion=scheme_a.general,
                text="Not mine to write",
            )
        assert not ApplicationAnswer.objects.exists()


def test_a_question_for_an_area_not_chosen_cannot_be_answered(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)  # environmental and social
        with pytest.raises(ValidationError, match="not part of this application"):
            services.answer_save(
                **as_user(cast_a, cast_a.organisation_admin),
                application=application,
                criterion=scheme_a.economic,
                text="We buy locally",
            )


def test_missing_lists_unanswered_questions_word_limits_areas_and_commitments(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = draft(cast_a, scheme_a, complete=False)
        services.application_areas_choose(
            **applicant, application=application, area_codes=["social"]
        )
        services.answer_save(
            **applicant,
            application=application,
            criterion=scheme_a.general,
            text="word " * 51,
        )
        missing = application_missing(tenant=cast_a.tenant, application=application)
        messages = [m.message for m in missing]
        assert [m.key for m in missing] == [
            "areas",
            f"criterion:{scheme_a.general.code}",
            f"criterion:{scheme_a.social.code}",
            "commitments",
        ]
        assert messages[0] == "Choose at least 2 areas (you have chosen 1)."
        assert "has 51 words: the limit is 50" in messages[1]
        assert messages[2] == "Answer “How do you support your communities?” (Social)."
        assert messages[3] == "Bronze asks for at least 2 commitments (you have 0)."
        with pytest.raises(ValidationError) as error:
            services.application_submit(**applicant, application=application)
        assert error.value.messages == messages
        application.refresh_from_db()
        assert application.status == "draft" and application.submitted_at is None
        answer = ApplicationAnswer.objects.get(criterion=scheme_a.general)
        assert answer.word_count == 51  # kept while over the limit: nothing is lost


def test_level_one_commitments_need_the_organisations_own_kvis(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = _start(
            cast_a,
            cast_a.organisation_admin,
            scheme_a,
            level=scheme_a.level_one,
            area_codes=["environmental"],
        )
        assert application.tracking_starts_on == timezone.localdate()
        for criterion in (scheme_a.general, scheme_a.environmental):
            services.answer_save(
                **applicant, application=application, criterion=criterion, text="Yes"
            )
        area = scheme_a.version.areas.get(code="environmental")
        commitment = services.commitment_save(
            **applicant, application=application, area=area, text="Cut fleet mileage by 10%"
        )
        missing = application_missing(tenant=cast_a.tenant, application=application)
        assert [m.key for m in missing] == [f"commitment:{commitment.pk}"]
        assert "Link at least 1 KVI to commitment 1" in missing[0].message
        theirs = kvi_for(cast_a, cast_a.other_organisation, code="THEIRS")
        ours = kvi_for(cast_a, cast_a.organisation, code="OURS")
        with pytest.raises(ValidationError) as error:
            services.commitment_kvis_set(**applicant, commitment=commitment, kvis=[ours, theirs])
        assert error.value.message_dict == {
            "kvis": [f"Choose KVIs of {cast_a.organisation.name} only."]
        }
        assert not commitment.kvi_links.exists()
        links = services.commitment_kvis_set(**applicant, commitment=commitment, kvis=[ours])
        assert [link.kvi for link in links] == [ours]
        assert application_missing(tenant=cast_a.tenant, application=application) == []
        with pytest.raises(ValidationError, match="Choose the Social area"):
            services.commitment_save(
                **applicant,
                application=application,
                area=scheme_a.version.areas.get(code="social"),
                text="Elsewhere",
            )


def test_submit_sets_the_decision_due_records_the_move_and_emails(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a)
        with pytest.raises(PermissionDenied):  # a member prepares; the admin submits
            services.application_submit(
                **as_user(cast_a, cast_a.organisation_member), application=application
            )
        with django_capture_on_commit_callbacks(execute=True):
            application = services.application_submit(
                **as_user(cast_a, cast_a.organisation_admin), application=application
            )
        assert application.status == "submitted"
        assert application.decision_due == add_working_days(timezone.localdate(), 7)
        event = application.events.order_by("-created_at").first()
        assert (event.from_status, event.to_status, event.actor) == (
            "draft",
            "submitted",
            cast_a.organisation_admin,
        )
        assert AuditEvent.objects.filter(
            verb="award_application.submitted", object_id=application.pk
        ).exists()
        with pytest.raises(ValidationError, match="cannot be changed now"):
            services.answer_save(
                **as_user(cast_a, cast_a.organisation_admin),
                application=application,
                criterion=scheme_a.general,
                text="A late change",
            )
        with pytest.raises(ValidationError, match="only a draft can be submitted"):
            services.application_submit(
                **as_user(cast_a, cast_a.organisation_admin), application=application
            )
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {cast_a.tenant_admin.email, cast_a.organisation_admin.email}
    assert mailoutbox[0].subject == (
        f"{cast_a.organisation.name} has applied for Bronze of Social Value Award"
    )


def test_a_stale_copy_cannot_move_an_application_twice(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a)
        stale = Application.objects.get(pk=application.pk)
        services.application_withdraw(
            **as_user(cast_a, cast_a.organisation_admin),
            application=application,
            reason="Not ready this year",
        )
        with pytest.raises(ValidationError, match="Someone else has just changed"):
            services.application_withdraw(
                **as_user(cast_a, cast_a.organisation_admin), application=stale, reason="Again"
            )
        assert ApplicationEvent.objects.filter(to_status="withdrawn").count() == 1


def test_withdraw_needs_a_reason_and_is_refused_after_a_decision(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = submitted(cast_a, scheme_a)
        with pytest.raises(ValidationError) as error:
            services.application_withdraw(**applicant, application=application, reason=" ")
        assert "reason" in error.value.message_dict
        with pytest.raises(PermissionDenied):
            services.application_withdraw(
                **as_user(cast_a, cast_a.organisation_member),
                application=application,
                reason="Member",
            )
        application = services.application_withdraw(
            **applicant, application=application, reason="Merging with a neighbour"
        )
        assert application.status == "withdrawn"
        assert application.events.last().reason == "Merging with a neighbour"
        # A new application may start once the old one is withdrawn; decided ones stay decided.
        awarded = decided(cast_a, scheme_a)
        assert awarded.status == "awarded"
        with pytest.raises(ValidationError, match="awarded: it cannot be withdrawn"):
            services.application_withdraw(**applicant, application=awarded, reason="Too late")


def test_renewal_starts_from_the_last_application(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        awarded = decided(cast_a, scheme_a)
        award = awarded.awards.get()
        renewal = services.application_start(
            **as_user(cast_a, cast_a.organisation_admin),
            organisation=cast_a.organisation,
            version=scheme_a.version,
            level=scheme_a.bronze,
            renew=award,
        )
        assert renewal.renewal_of == award
        assert renewal.area_codes == awarded.area_codes
        assert {a.criterion_id: a.text for a in renewal.answers.all()} == {
            a.criterion_id: a.text for a in awarded.answers.all()
        }
        assert [c.text for c in renewal.commitments.all()] == [
            c.text for c in awarded.commitments.all()
        ]


def test_tenant_b_cannot_touch_tenant_a_applications(cast_a, cast_b, scheme_a):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, scheme_a, complete=False)
    with tenant_context(cast_b.tenant.id):
        assert not Application.objects.filter(pk=application.pk).exists()
        with pytest.raises(PermissionDenied):
            services.answer_save(
                **as_user(cast_b, cast_b.organisation_admin),
                application=application,
                criterion=scheme_a.general,
                text="From tenant B",
            )
        with pytest.raises(PermissionDenied):
            services.application_withdraw(
                **as_user(cast_b, cast_b.tenant_admin), application=application, reason="B"
            )
    with tenant_context(cast_a.tenant.id):
        application.refresh_from_db()
        assert application.status == "draft" and not application.answers.exists()


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_a_new_answer_at_once_both_succeed(cast_a):
    """The autosave of a box and the page's own "Save answers" can arrive together. The first
    save creates the answer and has not committed when the second starts: the second waits for
    it and then updates the answer, rather than failing on the one-answer-per-question rule."""
    import threading

    from django.db import connection

    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        application = draft(cast_a, scheme, complete=False)
        applicant = as_user(cast_a, cast_a.organisation_admin)
    first_saved, errors = threading.Event(), []

    def save(text, hold_open=False):
        try:
            with tenant_context(cast_a.tenant.id):
                services.answer_save(
                    **applicant, application=application, criterion=scheme.general, text=text
                )
                if hold_open:
                    first_saved.set()
                    time.sleep(0.5)  # the second save starts while this one is open
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            first_saved.set()
            connection.close()

    first = threading.Thread(target=save, args=("Typed first.", True))
    first.start()
    first_saved.wait(10)
    second = threading.Thread(target=save, args=("Saved by the button.",))
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    with tenant_context(cast_a.tenant.id):
        answer = ApplicationAnswer.objects.get(application=application, criterion=scheme.general)
    assert answer.text == "Saved by the button."
