"""Appeals and awards held: the appeal clock in working days (with bank holidays inside the
window), the panel not involved in the assessment, verifying an award by code or organisation,
the public list of holders, revocation and the expiry reminders."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards import selectors, services, tasks, verification
from awards.models import Appeal, Award, Decision
from tenancy.context import tenant_context
from tenancy.models import Role
from tests.awards_builders import (
    as_user,
    day,
    decided,
    open_scheme,
    other_organisation_admin,
    person,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


@pytest.fixture
def refused_a(cast_a, scheme_a):
    """A Bronze application scored 50% and not awarded (decision sent now)."""
    with tenant_context(cast_a.tenant.id):
        return decided(cast_a, scheme_a, scores=(2, 2, 2))


def _send_decision_on(application, when: datetime):
    Decision.objects.filter(application=application).update(sent_at=when)


# --- The appeal clock --------------------------------------------------------------------


def test_appeal_on_the_10th_working_day_accepted_the_11th_refused(cast_a, refused_a):
    """Sent Wednesday 16 April 2025: Good Friday, Easter Monday and the early May bank holiday
    fall inside the window, so the 10th working day is Friday 2 May and the 11th Tuesday 6 May."""
    with tenant_context(cast_a.tenant.id):
        assert refused_a.status == "not_awarded"
        _send_decision_on(refused_a, datetime(2025, 4, 16, 16, 30, tzinfo=LONDON))
        admin = as_user(cast_a, cast_a.tenant_admin)
        with pytest.raises(ValidationError) as error:
            services.appeal_lodge(
                **admin,
                application=refused_a,
                reasons="The assessors missed our evidence file.",
                received_on=day("2025-05-06"),
            )
        assert error.value.messages == [
            "The time to appeal ended on 2 May 2025: an appeal must be lodged within 10 working "
            "days of the decision, sent on 16 April 2025."
        ]
        assert not Appeal.objects.exists()
        appeal = services.appeal_lodge(
            **admin,
            application=refused_a,
            reasons="The assessors missed our evidence file.",
            received_on=day("2025-05-02"),
        )
        assert (appeal.lodged_on, appeal.lodge_deadline) == (day("2025-05-02"), day("2025-05-02"))
        # 21 working days from Friday 2 May, skipping the bank holidays of 5 and 26 May.
        assert appeal.decision_due == day("2025-06-04")
        assert selectors.appeal_clock(appeal, today=day("2025-05-30")).working_days_left == 3
        assert not selectors.appeal_clock(appeal, today=day("2025-06-04")).overdue
        assert selectors.appeal_clock(appeal, today=day("2025-06-05")).overdue
        with pytest.raises(ValidationError, match="already been appealed"):
            services.appeal_lodge(
                **admin, application=refused_a, reasons="Again", received_on=day("2025-05-01")
            )


def test_a_decision_sent_late_in_the_evening_counts_from_its_london_date(cast_a, refused_a):
    with tenant_context(cast_a.tenant.id):
        # 23:30 in London on Thursday 17 April 2025 is already the 17th (22:30 UTC).
        _send_decision_on(refused_a, datetime(2025, 4, 17, 22, 30, tzinfo=ZoneInfo("UTC")))
        decision = Decision.objects.get(application=refused_a)
        assert services.appeal_deadline(decision) == day("2025-05-06")


def test_the_applicant_appeals_today_and_cannot_backdate(
    cast_a, refused_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        with pytest.raises(PermissionDenied):
            services.appeal_lodge(
                **applicant,
                application=refused_a,
                reasons="Backdated",
                received_on=timezone.localdate() - timedelta(days=1),
            )
        for user in (cast_a.organisation_member, other_organisation_admin(cast_a)):
            with pytest.raises(PermissionDenied):
                services.appeal_lodge(**as_user(cast_a, user), application=refused_a, reasons="X")
        with pytest.raises(ValidationError) as error:
            services.appeal_lodge(**applicant, application=refused_a, reasons="  ")
        assert "reasons" in error.value.message_dict
        assert not Appeal.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            appeal = services.appeal_lodge(
                **applicant, application=refused_a, reasons="Our evidence was overlooked."
            )
        assert appeal.lodged_on == timezone.localdate()
        assert appeal.lodged_by == cast_a.organisation_admin
    assert [m.to for m in mailoutbox if m.subject.endswith("has appealed")] == [
        [cast_a.tenant_admin.email]
    ]


def test_the_applicant_is_refused_once_the_window_has_passed(cast_a, refused_a):
    with tenant_context(cast_a.tenant.id):
        _send_decision_on(refused_a, timezone.now() - timedelta(days=30))
        with pytest.raises(ValidationError, match="The time to appeal ended"):
            services.appeal_lodge(
                **as_user(cast_a, cast_a.organisation_admin),
                application=refused_a,
                reasons="Late",
            )
        assert not Appeal.objects.exists()


def test_an_award_cannot_be_appealed(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        awarded = decided(cast_a, scheme_a)
        with pytest.raises(ValidationError, match="Only a decision not to award"):
            services.appeal_lodge(
                **as_user(cast_a, cast_a.organisation_admin), application=awarded, reasons="More"
            )


# --- The panel -----------------------------------------------------------------------------


def _lodged(cast, application):
    return services.appeal_lodge(
        **as_user(cast, cast.organisation_admin), application=application, reasons="Overlooked"
    )


def test_the_panel_is_not_involved_in_the_assessment(cast_a, refused_a):
    with tenant_context(cast_a.tenant.id):
        appeal = _lodged(cast_a, refused_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        refusals = [
            (cast_a.assessor, "took part in the assessment"),  # assessed it
            (cast_a.tenant_admin, "took part in the assessment"),  # sent the decision
            (cast_a.board_reporter, "not an assessor or programme admin"),
            (cast_a.organisation_admin, "not an assessor or programme admin"),
        ]
        fresh = person(cast_a, Role.ASSESSOR)
        for member, message in refusals:
            with pytest.raises(ValidationError, match=message):
                services.appeal_panel_appoint(**admin, appeal=appeal, members=[fresh, member])
        assert not appeal.panel.exists()
        with pytest.raises(PermissionDenied):
            services.appeal_panel_appoint(
                **as_user(cast_a, cast_a.assessor), appeal=appeal, members=[fresh]
            )
        second_admin = person(cast_a, Role.TENANT_ADMIN)
        panel = services.appeal_panel_appoint(**admin, appeal=appeal, members=[fresh, second_admin])
        assert {p.member for p in panel} == {fresh, second_admin}
        # Panel members may open the application; the assessors' view is unchanged.
        view = selectors.application_get_for_user(
            tenant=cast_a.tenant,
            access=as_user(cast_a, fresh)["access"],
            user=fresh,
            pk=refused_a.pk,
        )
        assert view.as_panel and view.can_read and not view.can_score


def test_only_a_panel_member_decides_and_an_allowed_appeal_makes_the_award(
    cast_a, refused_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        appeal = _lodged(cast_a, refused_a)
        fresh = person(cast_a, Role.ASSESSOR)
        services.appeal_panel_appoint(
            **as_user(cast_a, cast_a.tenant_admin), appeal=appeal, members=[fresh]
        )
        for user in (cast_a.tenant_admin, cast_a.assessor, cast_a.organisation_admin):
            with pytest.raises(PermissionDenied):
                services.appeal_decide(
                    **as_user(cast_a, user), appeal=appeal, outcome="allowed", reasons="Yes"
                )
        panel = as_user(cast_a, fresh)
        with pytest.raises(ValidationError) as error:
            services.appeal_decide(**panel, appeal=appeal, outcome="maybe", reasons="")
        assert set(error.value.message_dict) == {"outcome", "reasons"}
        assert not Award.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            appeal = services.appeal_decide(
                **panel,
                appeal=appeal,
                outcome="allowed",
                reasons="The evidence file showed 600 volunteer hours.",
            )
        assert (appeal.status, appeal.outcome, appeal.decided_by) == ("decided", "allowed", fresh)
        refused_a.refresh_from_db()
        assert refused_a.status == "awarded"
        assert refused_a.events.last().reason.startswith("Appeal allowed:")
        award = Award.objects.get(application=refused_a)
        assert award.awarded_on == timezone.localdate()
        with pytest.raises(ValidationError, match="already been decided"):
            services.appeal_decide(**panel, appeal=appeal, outcome="dismissed", reasons="No")
    decided_mail = [m for m in mailoutbox if "appeal panel has decided" in m.subject]
    assert set(decided_mail[0].to) == {
        cast_a.organisation_admin.email,
        cast_a.organisation_member.email,
        cast_a.tenant_admin.email,
    }


def test_a_dismissed_appeal_leaves_the_decision_standing(cast_a, refused_a):
    with tenant_context(cast_a.tenant.id):
        appeal = _lodged(cast_a, refused_a)
        fresh = person(cast_a, Role.ASSESSOR)
        services.appeal_panel_appoint(
            **as_user(cast_a, cast_a.tenant_admin), appeal=appeal, members=[fresh]
        )
        services.appeal_decide(
            **as_user(cast_a, fresh), appeal=appeal, outcome="dismissed", reasons="Scores fair."
        )
        refused_a.refresh_from_db()
        assert refused_a.status == "not_awarded" and not Award.objects.exists()


# --- Verifying awards ------------------------------------------------------------------------


def test_verify_by_code_and_by_organisation_within_the_tenant(cast_a, cast_b, scheme_a):
    with tenant_context(cast_a.tenant.id):
        award = decided(cast_a, scheme_a).awards.get()
        typed = verification.format_code(award.verification_code).lower() + " "
        check = verification.award_verify(tenant=cast_a.tenant, code=typed)
        assert check.is_current and check.award == award
        assert (check.organisation_name, check.level_name, check.scheme_name) == (
            cast_a.organisation.name,
            "Bronze",
            "Social Value Award",
        )
        assert verification.award_verify(tenant=cast_a.tenant, code="ABCD-EFGH-JKMN") is None
        by_org = verification.award_verify_organisation(
            tenant=cast_a.tenant, organisation_id=cast_a.organisation.id
        )
        assert by_org.award == award and by_org.is_current
        assert (
            verification.award_verify_organisation(
                tenant=cast_a.tenant, organisation_id=cast_a.other_organisation.id
            )
            is None
        )
        later = award.expires_on + timedelta(days=1)
        assert verification.award_verify(
            tenant=cast_a.tenant, code=award.verification_code, today=award.expires_on
        ).is_current
        assert (
            verification.award_verify(
                tenant=cast_a.tenant, code=award.verification_code, today=later
            ).status
            == "expired"
        )
    with tenant_context(cast_b.tenant.id):
        assert verification.award_verify(tenant=cast_b.tenant, code=award.verification_code) is None


def test_revoked_awards_check_as_revoked_and_leave_the_public_list(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        award = decided(cast_a, scheme_a).awards.get()
        assert list(verification.award_holders(tenant=cast_a.tenant)) == [award]
        with pytest.raises(PermissionDenied):
            services.award_revoke(
                **as_user(cast_a, cast_a.assessor), award=award, reason="No longer evidenced"
            )
        services.award_revoke(
            **as_user(cast_a, cast_a.tenant_admin), award=award, reason="No longer evidenced"
        )
        check = verification.award_verify(tenant=cast_a.tenant, code=award.verification_code)
        assert check.status == "revoked" and not check.is_current
        assert not verification.award_holders(tenant=cast_a.tenant).exists()


def test_award_holders_in_one_query(cast_a, scheme_a, django_assert_max_num_queries):
    with tenant_context(cast_a.tenant.id):
        decided(cast_a, scheme_a)
        with django_assert_max_num_queries(1):
            rows = [
                (a.organisation.name, a.level.name, a.version.name)
                for a in verification.award_holders(tenant=cast_a.tenant)
            ]
        assert rows == [(cast_a.organisation.name, "Bronze", "Social Value Award")]


# --- Expiry reminders --------------------------------------------------------------------------


def test_expiry_reminders_at_12_6_and_1_months_each_once(
    cast_a, scheme_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        award = decided(cast_a, scheme_a).awards.get()
        tenant = cast_a.tenant
        expires = award.expires_on

        def run(today):
            with django_capture_on_commit_callbacks(execute=True):
                return services.award_expiry_reminders_send(tenant=tenant, today=today)

        assert run(expires - relativedelta(months=13)) == 0
        assert run(expires - relativedelta(months=12)) == 1
        assert run(expires - relativedelta(months=11)) == 0
        assert run(expires - relativedelta(months=6)) == 1
        # A late run (the 1-month reminder due) sends one reminder.
        assert run(expires - timedelta(days=3)) == 1
        assert run(expires) == 0
        award.refresh_from_db()
        assert award.reminded_months == [12, 6, 1]
    reminders = [m for m in mailoutbox if "expires on" in m.subject]
    assert len(reminders) == 3
    assert reminders[0].to == [cast_a.organisation_admin.email]


def test_the_daily_task_runs_the_reminders_in_each_tenant(cast_a, cast_b, scheme_a):
    with tenant_context(cast_a.tenant.id):
        award = decided(cast_a, scheme_a).awards.get()
        Award.objects.filter(pk=award.pk).update(
            expires_on=timezone.localdate() + timedelta(days=20)
        )
    assert tasks.queue_award_expiry_reminders() >= 2
    with tenant_context(cast_a.tenant.id):
        award.refresh_from_db()
        assert award.reminded_months == [12, 6, 1]
