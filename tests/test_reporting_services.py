"""The reporting services and the PDF task: drafts (defaults, rules, who may), generation asked
for once (a second press while one waits gives the same version), the task producing one file
per version however often it runs, a failure recorded with its reason and retried as the same
version under the same key, schedules (due runs generate once, move to their next date and
email the recipient a link when the PDF is ready) and the tenant's action vocabulary."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import reporting.content
from reporting import services, tasks
from reporting.models import (
    Report,
    ReportingSettings,
    ReportKind,
    ReportSchedule,
    ReportVersion,
    VersionStatus,
)
from reporting.services import ScheduleInput
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.reporting_page_builders import as_user, draft, other_organisation_admin, version
from uploads import storage

pytestmark = pytest.mark.django_db


def _files(report) -> list[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / str(report.tenant_id) / "reports" / str(report.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _state(cast, pk) -> ReportVersion:
    with tenant_context(cast.tenant.id):
        return ReportVersion.objects.get(pk=pk)


def _produce(cast, made) -> str:
    return tasks.report_version_produce(tenant_id=cast.tenant.id, version_id=made.pk)


# --- Drafts ------------------------------------------------------------------------------------


def test_a_new_draft_has_the_usual_title_dates_and_first_action(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = services.report_create(
            **as_user(cast_a, cast_a.tenant_admin), kind=ReportKind.SYSTEM
        )
        assert AuditEvent.objects.filter(verb="report.created", object_id=str(report.pk)).exists()
    today = timezone.localdate()
    assert report.title == "Social value system report"
    assert report.period_end == today.replace(day=1) - timedelta(days=1)
    assert report.data_freeze_date == today
    assert report.action_required == "Approve"
    assert report.organisation is None and report.created_by == cast_a.tenant_admin


def test_who_may_start_which_report(cast_a):
    with tenant_context(cast_a.tenant.id):
        for user in (cast_a.assessor, cast_a.organisation_member):
            with pytest.raises(PermissionDenied):
                services.report_create(
                    **as_user(cast_a, user),
                    kind=ReportKind.ORGANISATION,
                    organisation=cast_a.organisation,
                )
        org_admin = as_user(cast_a, cast_a.organisation_admin)
        with pytest.raises(PermissionDenied):
            services.report_create(**org_admin, kind=ReportKind.SYSTEM)
        with pytest.raises(PermissionDenied):
            services.report_create(
                **org_admin, kind=ReportKind.ORGANISATION, organisation=cast_a.other_organisation
            )
        assert not Report.objects.exists()
        own = services.report_create(
            **org_admin, kind=ReportKind.ORGANISATION, organisation=cast_a.organisation
        )
        assert own.organisation == cast_a.organisation


def test_a_draft_refuses_a_freeze_before_its_figures_and_an_unknown_action(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        reporter = as_user(cast_a, cast_a.board_reporter)
        with pytest.raises(ValidationError) as error:
            services.report_update(
                **reporter,
                report=report,
                data_freeze_date=date(2022, 9, 1),
                action_required="Veto",
            )
        assert set(error.value.message_dict) == {"data_freeze_date", "action_required"}
        with pytest.raises(ValidationError) as error:
            services.report_update(**reporter, report=report, data_freeze_date=date(9999, 12, 31))
        assert error.value.message_dict == {
            "data_freeze_date": ["The data freeze date must be between 2000 and 2100."]
        }
        report.refresh_from_db()
        assert report.data_freeze_date == date(2022, 10, 7)
        services.report_update(**reporter, report=report, executive_summary="Changed.")
        services.report_update(**reporter, report=report, executive_summary="Changed.")
        events = AuditEvent.objects.filter(verb="report.updated", object_id=str(report.pk))
        assert events.count() == 1  # the second call changed nothing
        with pytest.raises(PermissionDenied):
            services.report_update(
                **as_user(cast_a, other_organisation_admin(cast_a)), report=report, title="No"
            )


def test_a_report_with_versions_is_not_deleted(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        version(cast_a, report, status=VersionStatus.FAILED)
        with pytest.raises(ValidationError, match="kept as the record"):
            services.report_delete(**as_user(cast_a, cast_a.tenant_admin), report=report)
        assert Report.objects.filter(pk=report.pk).exists()


# --- Asking for a PDF and producing it ---------------------------------------------------------


def test_a_second_request_while_one_waits_returns_the_same_version(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        reporter = as_user(cast_a, cast_a.board_reporter)
        first = services.report_generate(**reporter, report=report)
        again = services.report_generate(**as_user(cast_a, cast_a.tenant_admin), report=report)
        assert again.pk == first.pk and first.number == 1
        assert ReportVersion.objects.filter(report=report).count() == 1
        ReportVersion.objects.filter(pk=first.pk).update(status=VersionStatus.FAILED)
        second = services.report_generate(**reporter, report=report)
        assert second.number == 2 and second.status == VersionStatus.QUEUED
        with pytest.raises(PermissionDenied):
            services.report_generate(**as_user(cast_a, cast_a.assessor), report=report)


def test_generation_is_queued_after_commit_and_produces_the_pdf(
    cast_a, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            made = services.report_generate(**as_user(cast_a, cast_a.board_reporter), report=report)
        assert made.status == VersionStatus.QUEUED and len(callbacks) == 1
        callbacks[0]()
    done = _state(cast_a, made.pk)
    assert done.status == VersionStatus.READY and done.progress == 100
    assert done.storage_key == tasks.pdf_key(done)
    assert done.sha256 == storage.sha256_of(done.storage_key)
    assert done.page_count >= 1 and done.size > 0 and done.inputs_sha256
    assert done.attempts == 1 and done.started_at and done.finished_at


def test_producing_a_version_twice_leaves_one_file_and_skips_the_second_time(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM)
        made = version(cast_a, report)
    assert _produce(cast_a, made) == "produced"
    first = _state(cast_a, made.pk)
    stored = storage.private_path(first.storage_key)
    mtime = stored.stat().st_mtime_ns
    assert _produce(cast_a, made) == "skipped"
    again = _state(cast_a, made.pk)
    assert (again.sha256, again.finished_at, again.attempts) == (
        first.sha256,
        first.finished_at,
        first.attempts,
    )
    assert stored.stat().st_mtime_ns == mtime
    assert _files(report) == [f"{made.pk}.pdf"]
    with tenant_context(cast_a.tenant.id):
        produced = AuditEvent.objects.filter(verb="report.pdf_produced", object_id=str(made.pk))
        assert produced.count() == 1


def test_the_same_inputs_give_the_same_pdf(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM)
        one = version(cast_a, report)
    _produce(cast_a, one)
    with tenant_context(cast_a.tenant.id):
        two = version(cast_a, report)
    _produce(cast_a, two)
    one, two = _state(cast_a, one.pk), _state(cast_a, two.pk)
    assert one.inputs_sha256 == two.inputs_sha256
    assert one.sha256 == two.sha256
    assert _files(report) == sorted([f"{one.pk}.pdf", f"{two.pk}.pdf"])


def test_a_version_whose_content_fails_is_failed_with_a_reason_and_retried_as_itself(
    cast_a, monkeypatch, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM)
        made = version(cast_a, report)
    key = tasks.pdf_key(made)

    def broken(report):
        raise RuntimeError("the figures could not be read")

    monkeypatch.setattr(reporting.content, "report_inputs", broken)
    assert _produce(cast_a, made) == "failed"
    failed = _state(cast_a, made.pk)
    assert failed.status == VersionStatus.FAILED
    assert failed.failure_reason == tasks.FAILURE_MESSAGE
    assert "figures could not be read" not in failed.failure_reason  # no internals shown
    assert failed.attempts == 1 and failed.storage_key == ""
    assert _files(report) == []
    assert _produce(cast_a, made) == "skipped"  # a failed version waits for a retry

    def invalid(report):
        raise ValidationError("The organisation has left the programme.")

    monkeypatch.setattr(reporting.content, "report_inputs", invalid)
    with tenant_context(cast_a.tenant.id):
        services.version_retry(**as_user(cast_a, cast_a.tenant_admin), version=failed)
    assert _produce(cast_a, made) == "failed"
    assert _state(cast_a, made.pk).failure_reason == "The organisation has left the programme."

    monkeypatch.undo()
    with tenant_context(cast_a.tenant.id):
        again = _state(cast_a, made.pk)
        with django_capture_on_commit_callbacks(execute=True):
            retried = services.version_retry(
                **as_user(cast_a, cast_a.board_reporter), version=again
            )
        assert retried.pk == made.pk
        assert (
            AuditEvent.objects.filter(
                verb="report.generation_retried", object_id=str(made.pk)
            ).count()
            == 2
        )
    done = _state(cast_a, made.pk)
    assert done.status == VersionStatus.READY and done.failure_reason == ""
    assert done.storage_key == key and done.attempts == 3
    assert _files(report) == [f"{made.pk}.pdf"]
    with tenant_context(cast_a.tenant.id):
        assert ReportVersion.objects.filter(report=report).count() == 1


def test_only_a_failed_version_is_retried_and_only_by_those_who_may_prepare(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        waiting = version(cast_a, report)
        with pytest.raises(ValidationError, match="Only a failed generation"):
            services.version_retry(**as_user(cast_a, cast_a.tenant_admin), version=waiting)
        ReportVersion.objects.filter(pk=waiting.pk).update(status=VersionStatus.FAILED)
        waiting.refresh_from_db()
        for user in (cast_a.assessor, cast_a.organisation_member):
            with pytest.raises(PermissionDenied):
                services.version_retry(**as_user(cast_a, user), version=waiting)
        assert ReportVersion.objects.get(pk=waiting.pk).status == VersionStatus.FAILED


# --- Schedules ---------------------------------------------------------------------------------


def test_a_due_schedule_generates_once_moves_on_and_emails_the_recipient(
    cast_a, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM, title="ICS board report")
        schedule = ReportSchedule.objects.create(
            tenant=cast_a.tenant,
            report=report,
            frequency="monthly",
            day_of_month=today.day,
            recipient=cast_a.board_reporter,
            next_run_on=today,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.schedules_run(tenant=cast_a.tenant, today=today) == 1
        made = ReportVersion.objects.get(report=report)
        schedule.refresh_from_db()
        # Not due again today.
        assert services.schedules_run(tenant=cast_a.tenant, today=today) == 0
    assert made.schedule_id == schedule.pk and made.requested_by_id is None
    assert made.status == VersionStatus.READY
    assert schedule.last_run_on == today
    assert schedule.next_run_on > today and schedule.is_active
    assert (schedule.next_run_on.year * 12 + schedule.next_run_on.month) - (
        today.year * 12 + today.month
    ) == 1
    [email] = mail.outbox
    assert email.to == [cast_a.board_reporter.email]
    assert "ICS board report" in email.subject
    link = reverse("report_detail", args=[cast_a.tenant.slug, report.pk])
    assert link in email.body


def test_a_schedule_before_its_last_meeting_stops_after_running(cast_a):
    today = timezone.localdate()
    meeting = today + timedelta(days=7)
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a, ReportKind.SYSTEM)
        schedule = services.schedule_save(
            **as_user(cast_a, cast_a.tenant_admin),
            report=report,
            data=ScheduleInput(
                frequency="before_meetings",
                recipient=cast_a.board_reporter,
                meeting_dates=(meeting,),
                days_before=7,
            ),
        )
        assert schedule.next_run_on == today
        assert services.schedules_run(tenant=cast_a.tenant, today=today) == 1
        schedule.refresh_from_db()
    assert not schedule.is_active and schedule.last_run_on == today


def test_a_schedule_names_what_is_wrong_and_who_may_save_it(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        with pytest.raises(ValidationError) as error:
            services.schedule_save(
                **admin,
                report=report,
                data=ScheduleInput(
                    frequency="before_meetings", recipient=cast_a.assessor, days_before=90
                ),
            )
        assert set(error.value.message_dict) == {"meeting_dates", "days_before", "recipient"}
        for user in (cast_a.board_reporter, other_organisation_admin(cast_a)):
            with pytest.raises(PermissionDenied):
                services.schedule_save(
                    **as_user(cast_a, user),
                    report=report,
                    data=ScheduleInput(frequency="monthly", recipient=cast_a.board_reporter),
                )
        assert not ReportSchedule.objects.exists()
        saved = services.schedule_save(
            **as_user(cast_a, cast_a.organisation_admin),
            report=report,
            data=ScheduleInput(
                frequency="quarterly", recipient=cast_a.organisation_admin, day_of_month=31
            ),
        )
    assert saved.next_run_on.month in (1, 4, 7, 10)


# --- Settings ----------------------------------------------------------------------------------


def test_the_action_vocabulary_is_cleaned_and_only_tenant_admins_set_it(cast_a):
    with tenant_context(cast_a.tenant.id):
        saved = services.action_choices_update(
            **as_user(cast_a, cast_a.tenant_admin),
            actions=[" Approve ", "", "Approve", "For information"],
        )
        assert saved == ["Approve", "For information"]
        assert ReportingSettings.objects.get().actions == saved
        with pytest.raises(ValidationError):
            services.action_choices_update(**as_user(cast_a, cast_a.tenant_admin), actions=[" "])
        with pytest.raises(PermissionDenied):
            services.action_choices_update(
                **as_user(cast_a, cast_a.board_reporter), actions=["Rubber-stamp"]
            )
        assert ReportingSettings.objects.get().actions == saved


def test_a_new_draft_starts_with_a_summary_written_from_its_figures(cast_a):
    from reporting.services import report_create
    from tenancy.permissions import tenant_access_for
    from tests.reporting_builders import kvi_setup

    with tenant_context(cast_a.tenant.id):
        kvi_setup(cast_a)
        report = report_create(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant),
            kind="organisation",
            organisation=cast_a.organisation,
            period_end=date(2022, 9, 30),
        )
    assert report.executive_summary.startswith(f"At 30 September 2022, {cast_a.organisation.name}")
    assert "tracks 3 Key Value Indicators: 3 without figures yet." in report.executive_summary


def test_a_schedule_refuses_meeting_dates_out_of_range(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        with pytest.raises(ValidationError) as error:
            services.schedule_save(
                **as_user(cast_a, cast_a.tenant_admin),
                report=report,
                data=ScheduleInput(
                    frequency="before_meetings",
                    recipient=cast_a.board_reporter,
                    meeting_dates=(date(1, 1, 1),),
                ),
            )
    assert error.value.message_dict == {
        "meeting_dates": ["Meeting dates must be between 2000 and 2100."]
    }


def test_the_stored_inputs_hash_is_the_one_written_into_the_pdf(cast_a):
    with tenant_context(cast_a.tenant.id):
        report = draft(cast_a)
        services.report_update(
            **as_user(cast_a, cast_a.tenant_admin), report=report, title="Mid-year – £ and é"
        )
        made = version(cast_a, report)
    tasks.report_version_produce(tenant_id=cast_a.tenant.id, version_id=made.pk)
    with tenant_context(cast_a.tenant.id):
        made.refresh_from_db()
        inputs = reporting.content.report_inputs(report)
    assert made.inputs_sha256 == reporting.content.inputs_sha256(inputs)
