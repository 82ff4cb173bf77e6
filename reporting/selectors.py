"""Reads of board reports, and who may see or prepare which report.

The rule, in one place: tenant admins and board reporters (VIEW_REPORTS / PREPARE_REPORTS) reach
every report of the tenant; an organisation's admins (MANAGE_OWN_REPORTS, organisation-scoped)
reach that organisation's own reports and nothing else (never the system report or an assembly
pack). Views, the API and tasks all ask these functions."""

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from reporting.models import (
    DEFAULT_ACTIONS,
    Report,
    ReportingSettings,
    ReportKind,
    ReportSchedule,
    ReportVersion,
    VersionStatus,
)
from tenancy.permissions import Perm, TenantAccess

# --- Access ------------------------------------------------------------------------------------


def may_view_report(access: TenantAccess, report: Report) -> bool:
    if access.can(Perm.VIEW_REPORTS):
        return True
    return report.organisation_id is not None and access.can(
        Perm.MANAGE_OWN_REPORTS, organisation_id=report.organisation_id
    )


def may_prepare_report(access: TenantAccess, report: Report) -> bool:
    """Edit the draft, generate and retry PDFs."""
    if access.can(Perm.PREPARE_REPORTS):
        return True
    return report.organisation_id is not None and access.can(
        Perm.MANAGE_OWN_REPORTS, organisation_id=report.organisation_id
    )


def may_schedule_report(access: TenantAccess, report: Report) -> bool:
    if access.can(Perm.SCHEDULE_REPORTS):
        return True
    return report.organisation_id is not None and access.can(
        Perm.MANAGE_OWN_REPORTS, organisation_id=report.organisation_id
    )


def may_create_kind(access: TenantAccess, kind: str, organisation_id=None) -> bool:
    if access.can(Perm.PREPARE_REPORTS):
        return True
    return (
        kind == ReportKind.ORGANISATION
        and organisation_id is not None
        and access.can(Perm.MANAGE_OWN_REPORTS, organisation_id=organisation_id)
    )


def may_use_reports(access: TenantAccess) -> bool:
    """Anyone who may see at least one report (the navigation item and the list page)."""
    return access.can(Perm.VIEW_REPORTS) or access.can_for_any_organisation(Perm.MANAGE_OWN_REPORTS)


def visible_reports(*, tenant, access: TenantAccess) -> QuerySet[Report]:
    reports = Report.objects.filter(tenant=tenant)
    if access.can(Perm.VIEW_REPORTS):
        return reports
    return reports.filter(organisation_id__in=access.organisations_with(Perm.MANAGE_OWN_REPORTS))


# --- Reports -----------------------------------------------------------------------------------


def report_list(*, tenant, access: TenantAccess, search: str = "", kind: str = "") -> QuerySet:
    """The reports this person may see, newest first, each with its organisation, how many
    versions it has and its latest version's number and status: one query."""
    latest = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    reports = (
        visible_reports(tenant=tenant, access=access)
        .select_related("organisation", "assembly")
        .annotate(
            version_count=Count("versions"),
            latest_number=Max("versions__number"),
            latest_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("-created_at")
    )
    if search:
        reports = reports.filter(
            Q(title__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(meeting__icontains=search)
        )
    if kind:
        reports = reports.filter(kind=kind)
    return reports


def report_get(*, tenant, access: TenantAccess, pk) -> Report | None:
    """The report if this person may see it; None otherwise (the page answers 404 for another
    tenant's report and 403 is for a report seen but not theirs: see report_get_or_refuse)."""
    report = (
        Report.objects.filter(tenant=tenant, pk=pk)
        .select_related("organisation", "assembly", "created_by")
        .first()
    )
    if report is None or not may_view_report(access, report):
        return None
    return report


def report_exists(*, tenant, pk) -> bool:
    return Report.objects.filter(tenant=tenant, pk=pk).exists()


def version_list(*, tenant, report: Report) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(tenant=tenant, report=report).select_related(
        "requested_by", "schedule"
    )


def version_get(*, tenant, report: Report, number: int) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(tenant=tenant, report=report, number=number)
        .select_related("report", "requested_by")
        .first()
    )


def latest_ready_version(*, tenant, report: Report) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(tenant=tenant, report=report, status=VersionStatus.READY)
        .order_by("-number")
        .first()
    )


def version_in_progress(*, tenant, report: Report) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(
            tenant=tenant,
            report=report,
            status__in=[VersionStatus.QUEUED, VersionStatus.RUNNING],
        )
        .order_by("-number")
        .first()
    )


# --- Schedules and settings ------------------------------------------------------------------


def schedule_list(*, tenant, report: Report) -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.filter(tenant=tenant, report=report).select_related("recipient")


def schedule_get(*, tenant, report: Report, pk) -> ReportSchedule | None:
    return (
        ReportSchedule.objects.filter(tenant=tenant, report=report, pk=pk)
        .select_related("recipient")
        .first()
    )


def schedules_due(*, tenant, on) -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.filter(
        tenant=tenant, is_active=True, next_run_on__lte=on
    ).select_related("report", "recipient")


def action_choices(*, tenant) -> list[str]:
    """The tenant's "action required" vocabulary (approve / discuss / assure / note unless the
    tenant set its own)."""
    settings_row = ReportingSettings.objects.filter(tenant=tenant).first()
    return settings_row.action_choices() if settings_row else list(DEFAULT_ACTIONS)


def schedule_recipients(*, tenant, report: Report) -> list:
    """Who a schedule may email: the tenant's board reporters and tenant admins, and for an
    organisation report that organisation's admins (everyone who may download it). Sorted by
    email; one query."""
    from django.contrib.auth import get_user_model

    from tenancy.models import Membership, Role

    may = Q(role__in=[Role.BOARD_REPORTER, Role.TENANT_ADMIN])
    if report.organisation_id is not None:
        may |= Q(role=Role.ORGANISATION_ADMIN, organisation_id=report.organisation_id)
    user_ids = Membership.objects.filter(may, tenant=tenant).values("user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("email"))
