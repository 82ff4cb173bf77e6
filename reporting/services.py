"""Writes of board reports: drafts, generation requests, retries, schedules and the tenant's
action vocabulary. Every write checks the person's role through reporting.selectors' access
rules and is audited (who, when, what changed).

Generation: `report_generate` adds a ReportVersion (a job row) and queues
reporting.tasks.generate_report_pdf after commit; a second press while one is queued or running
returns that one instead of asking twice."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone

from organisations.selectors import participation_get
from reporting import selectors
from reporting.models import (
    COVER_SHEET_FIELDS,
    DEFAULT_ACTIONS,
    Report,
    ReportingSettings,
    ReportKind,
    ReportSchedule,
    ReportVersion,
    ScheduleFrequency,
    VersionStatus,
)
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

REFUSED = "You do not have permission to do that with this report."

REPORT_FIELDS = ("title", "period_end", "data_freeze_date")
EDITABLE_FIELDS = (*REPORT_FIELDS, *COVER_SHEET_FIELDS, "narratives", "chart_kvi_ids")

DEFAULT_TITLES = {
    ReportKind.ORGANISATION: "Social value report",
    ReportKind.SYSTEM: "Social value system report",
    ReportKind.ASSEMBLY: "Anchor Assembly progress pack",
}


def _own(tenant, obj, what: str = "This report"):
    if obj is not None and obj.tenant_id != tenant.id:
        raise PermissionDenied(f"{what} is not part of this programme.")
    return obj


def last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


# --- Drafts ------------------------------------------------------------------------------------


def report_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    kind: str,
    organisation=None,
    assembly=None,
    **fields,
) -> Report:
    """A new draft. An organisation report names its organisation, an assembly pack its
    assembly. Figures default to the end of last month, frozen today."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": "Choose what kind of report to prepare."})
    if (
        organisation is not None
        and participation_get(tenant=tenant, organisation_id=organisation.pk) is None
    ):
        raise ValidationError({"organisation": f"{organisation.name} takes no part here."})
    _own(tenant, assembly, "This assembly")
    organisation_id = organisation.pk if organisation is not None else None
    if not selectors.may_create_kind(access, kind, organisation_id):
        raise PermissionDenied(REFUSED)
    if kind == ReportKind.ORGANISATION and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation the report is about."})
    if kind == ReportKind.ASSEMBLY and assembly is None:
        raise ValidationError({"assembly": "Choose the assembly the pack is for."})
    if kind != ReportKind.ORGANISATION:
        organisation = None
    if kind != ReportKind.ASSEMBLY:
        assembly = None
    today = timezone.localdate()
    values = {
        "title": DEFAULT_TITLES[ReportKind(kind)],
        "period_end": last_month_end(today),
        "data_freeze_date": today,
        "action_required": selectors.action_choices(tenant=tenant)[0],
    }
    if assembly is not None:
        values["meeting"] = assembly.title
        values["meeting_date"] = assembly.held_on
    values.update({name: value for name, value in fields.items() if value not in (None, "")})
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not report fields: {sorted(unknown)}")
    _validate(tenant, values)
    report = Report.objects.create(
        tenant=tenant,
        kind=kind,
        organisation=organisation,
        assembly=assembly,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    if not report.executive_summary:
        report.executive_summary = _summary_from_data(report)
        report.save(update_fields=["executive_summary"])
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="report.created",
        obj=report,
        changes={"kind": kind, "title": report.title},
    )
    return report


def _summary_from_data(report: Report) -> str:
    """The default executive summary: a few sentences written from the report's figures, for
    the board reporter to edit (reporting.content.summary)."""
    from reporting.content import report_inputs
    from reporting.content.summary import suggested_summary

    return suggested_summary(report_inputs(report))


# Dates outside these years are typing slips (and beyond what date arithmetic can carry).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
DATE_FIELDS = {
    "period_end": "The date the figures run to",
    "data_freeze_date": "The data freeze date",
    "meeting_date": "The meeting date",
}


def _date_in_range(day) -> bool:
    return day is None or EARLIEST_YEAR <= day.year <= LATEST_YEAR


def _validate(tenant, values: dict) -> None:
    errors = {}
    for name, label in DATE_FIELDS.items():
        if not _date_in_range(values.get(name)):
            errors[name] = f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}."
    if errors:
        raise ValidationError(errors)
    if "title" in values and not str(values["title"]).strip():
        errors["title"] = "Enter the report's title."
    period_end, freeze = values.get("period_end"), values.get("data_freeze_date")
    if period_end and freeze and freeze < period_end:
        errors["data_freeze_date"] = (
            "The data freeze date must be on or after the date the figures run to "
            f"({period_end:%-d %B %Y})."
        )
    action = values.get("action_required")
    choices = selectors.action_choices(tenant=tenant)
    if action and action not in choices:
        errors["action_required"] = f"Choose the action required: {', '.join(choices)}."
    narratives = values.get("narratives")
    if narratives is not None and not (
        isinstance(narratives, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in narratives.items())
    ):
        errors["narratives"] = "Each theme's narrative must be text."
    if errors:
        raise ValidationError(errors)


def report_update(*, tenant, actor, access: TenantAccess, report: Report, **fields) -> Report:
    """Change the draft's cover sheet, narrative or chosen charts. Only what changed is saved
    and audited."""
    _own(tenant, report)
    if not selectors.may_prepare_report(access, report):
        raise PermissionDenied(REFUSED)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not report fields: {sorted(unknown)}")
    merged = {name: getattr(report, name) for name in EDITABLE_FIELDS} | fields
    _validate(tenant, merged)
    changes = {
        name: [_plain(getattr(report, name)), _plain(value)]
        for name, value in fields.items()
        if getattr(report, name) != value
    }
    if not changes:
        return report
    for name in changes:
        setattr(report, name, fields[name])
    report.save(update_fields=[*changes, "updated_at"])
    audit_record(tenant=tenant, actor=actor, verb="report.updated", obj=report, changes=changes)
    return report


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def report_delete(*, tenant, actor, access: TenantAccess, report: Report) -> None:
    """Remove a draft that was never generated; a report with PDFs is part of the record."""
    _own(tenant, report)
    if not selectors.may_prepare_report(access, report):
        raise PermissionDenied(REFUSED)
    # Lock the report as report_generate does, so a press of "Generate" cannot slip in.
    Report.objects.select_for_update().filter(tenant=tenant, pk=report.pk).first()
    if report.versions.exists():
        raise ValidationError(
            "This report has generated PDFs, which are kept as the record of what the board read."
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="report.deleted",
        obj=report,
        changes={"title": report.title},
    )
    report.delete()


# --- Generation --------------------------------------------------------------------------------


def report_generate(
    *, tenant, actor, access: TenantAccess | None, report: Report, schedule=None
) -> ReportVersion:
    """Ask for a PDF of the report as it stands. Returns the new version (queued), or the one
    already queued or running. `access` None is the scheduler acting for a schedule."""
    _own(tenant, report)
    if access is not None and not selectors.may_prepare_report(access, report):
        raise PermissionDenied(REFUSED)
    # Lock the report so two presses at once cannot both add a version.
    Report.objects.select_for_update().filter(tenant=tenant, pk=report.pk).first()
    pending = selectors.version_in_progress(tenant=tenant, report=report)
    if pending is not None:
        return pending
    number = (
        ReportVersion.objects.filter(tenant=tenant, report=report).aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    version = ReportVersion.objects.create(
        tenant=tenant,
        report=report,
        number=number,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        schedule=schedule,
        progress_message="Waiting for a worker",
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="report.generation_requested",
        obj=version,
        changes={"report": str(report.pk), "number": number, "scheduled": schedule is not None},
    )
    _queue(version)
    return version


def _queue(version: ReportVersion) -> None:
    from reporting.tasks import generate_report_pdf

    generate_report_pdf.delay_on_commit(str(version.tenant_id), str(version.pk))


def version_retry(*, tenant, actor, access: TenantAccess, version: ReportVersion) -> ReportVersion:
    """Try a failed generation again: the same version (the same request, the same file key)."""
    _own(tenant, version)
    if not selectors.may_prepare_report(access, version.report):
        raise PermissionDenied(REFUSED)
    if version.status != VersionStatus.FAILED:
        raise ValidationError("Only a failed generation can be tried again.")
    updated = ReportVersion.objects.filter(
        tenant=tenant, pk=version.pk, status=VersionStatus.FAILED
    ).update(
        status=VersionStatus.QUEUED,
        progress=0,
        progress_message="Waiting for a worker",
        failure_reason="",
        updated_at=timezone.now(),
    )
    version.refresh_from_db()
    if updated:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="report.generation_retried",
            obj=version,
            changes={"attempts": version.attempts},
        )
        _queue(version)
    return version


# --- Schedules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleInput:
    frequency: str
    recipient: Any  # the user emailed (a board reporter, or someone who may read it)
    day_of_month: int = 1
    meeting_dates: tuple[date, ...] = ()
    days_before: int = 7
    is_active: bool = True


QUARTER_MONTHS = (1, 4, 7, 10)


def _day_in_month(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_run(data: ScheduleInput, after: date) -> date | None:
    """The first run date strictly after `after` (None: no meeting left to prepare for)."""
    if data.frequency == ScheduleFrequency.BEFORE_MEETINGS:
        runs = sorted(m - timedelta(days=data.days_before) for m in data.meeting_dates)
        return next((run for run in runs if run > after), None)
    month = date(after.year, after.month, 1)
    while True:
        if data.frequency == ScheduleFrequency.MONTHLY or month.month in QUARTER_MONTHS:
            run = _day_in_month(month.year, month.month, data.day_of_month)
            if run > after:
                return run
        month += relativedelta(months=1)


def _validate_schedule(tenant, report: Report, data: ScheduleInput, today: date) -> date:
    errors = {}
    if data.frequency not in ScheduleFrequency.values:
        errors["frequency"] = "Choose how often the report is generated."
    if data.frequency in (ScheduleFrequency.MONTHLY, ScheduleFrequency.QUARTERLY) and not (
        1 <= data.day_of_month <= 31
    ):
        errors["day_of_month"] = "Enter a day of the month from 1 to 31."
    if data.frequency == ScheduleFrequency.BEFORE_MEETINGS:
        if not data.meeting_dates:
            errors["meeting_dates"] = "Enter at least one meeting date."
        elif not all(_date_in_range(day) for day in data.meeting_dates):
            errors["meeting_dates"] = (
                f"Meeting dates must be between {EARLIEST_YEAR} and {LATEST_YEAR}."
            )
        if not 0 <= data.days_before <= 60:
            errors["days_before"] = "Enter how many days before each meeting, from 0 to 60."
    recipients = {user.pk for user in selectors.schedule_recipients(tenant=tenant, report=report)}
    if data.recipient is None or data.recipient.pk not in recipients:
        errors["recipient"] = "Choose who is emailed: a board reporter or someone who may read it."
    if errors:
        raise ValidationError(errors)
    run = next_run(data, today - timedelta(days=1))
    if run is None:
        raise ValidationError(
            {"meeting_dates": "Every meeting date is too close or past: enter a later one."}
        )
    return run


def schedule_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    report: Report,
    data: ScheduleInput,
    schedule: ReportSchedule | None = None,
) -> ReportSchedule:
    _own(tenant, report)
    if not selectors.may_schedule_report(access, report):
        raise PermissionDenied(REFUSED)
    if schedule is not None and (
        schedule.tenant_id != tenant.id or schedule.report_id != report.pk
    ):
        raise PermissionDenied("This schedule is not part of this report.")
    run_on = _validate_schedule(tenant, report, data, timezone.localdate())
    values = {
        "frequency": data.frequency,
        "day_of_month": data.day_of_month,
        "meeting_dates": sorted(d.isoformat() for d in data.meeting_dates),
        "days_before": data.days_before,
        "recipient": data.recipient,
        "next_run_on": run_on,
        "is_active": data.is_active,
    }
    if schedule is None:
        schedule = ReportSchedule.objects.create(
            tenant=tenant,
            report=report,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **values,
        )
        verb = "report.schedule_created"
    else:
        for name, value in values.items():
            setattr(schedule, name, value)
        schedule.save()
        verb = "report.schedule_changed"
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=verb,
        obj=schedule,
        changes={
            "frequency": data.frequency,
            "next_run_on": run_on.isoformat(),
            "recipient": data.recipient.email,
            "is_active": data.is_active,
        },
    )
    return schedule


def schedule_remove(*, tenant, actor, access: TenantAccess, schedule: ReportSchedule) -> None:
    _own(tenant, schedule, "This schedule")
    if not selectors.may_schedule_report(access, schedule.report):
        raise PermissionDenied(REFUSED)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="report.schedule_removed",
        obj=schedule,
        changes={"frequency": schedule.frequency},
    )
    schedule.delete()


def schedules_run(*, tenant, today: date) -> int:
    """Beat: generate every schedule due on or before today once, and move it to its next run
    (a schedule with no meeting left stops). Returns how many reports were asked for."""
    asked = 0
    for schedule in selectors.schedules_due(tenant=tenant, on=today).select_for_update(
        of=("self",), skip_locked=True
    ):
        version = report_generate(
            tenant=tenant, actor=None, access=None, report=schedule.report, schedule=schedule
        )
        if version.schedule_id is None:
            # A version asked for by hand was already on its way: it serves this run too, and
            # its reader is emailed when it is ready.
            ReportVersion.objects.filter(pk=version.pk, schedule__isnull=True).update(
                schedule=schedule
            )
        data = ScheduleInput(
            frequency=schedule.frequency,
            recipient=schedule.recipient,
            day_of_month=schedule.day_of_month,
            meeting_dates=tuple(date.fromisoformat(d) for d in schedule.meeting_dates),
            days_before=schedule.days_before,
        )
        following = next_run(data, today)
        schedule.last_run_on = today
        schedule.next_run_on = following or schedule.next_run_on
        schedule.is_active = following is not None
        schedule.save(update_fields=["last_run_on", "next_run_on", "is_active", "updated_at"])
        asked += 1
    return asked


# --- Settings ----------------------------------------------------------------------------------


def action_choices_update(*, tenant, actor, access: TenantAccess, actions: list[str]) -> list[str]:
    """Set the tenant's "action required" vocabulary (one per line in the form)."""
    access.require(Perm.MANAGE_TENANT_SETTINGS)
    cleaned = []
    for action in actions:
        action = action.strip()
        if action and action not in cleaned:
            cleaned.append(action[:40])
    if not cleaned:
        raise ValidationError({"actions": "Enter at least one action, one per line."})
    row, _ = ReportingSettings.objects.get_or_create(
        tenant=tenant, defaults={"actions": list(DEFAULT_ACTIONS)}
    )
    old = row.action_choices()
    row.actions = cleaned
    row.save(update_fields=["actions", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="reporting.actions_changed",
        obj=row,
        changes={"actions": [old, cleaned]},
    )
    return cleaned
