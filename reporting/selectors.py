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


def _tenant_wide_or_own(access: TenantAccess, perm: Perm, report: Report) -> bool:
    """The tenant-wide permission, or MANAGE_OWN_REPORTS for the report's organisation."""
    if access.can(perm):
        return True
    return report.organisation_id is not None and access.can(
        Perm.MANAGE_OWN_REPORTS, organisation_id=report.organisation_id
    )


def may_view_report(access: TenantAccess, report: Report) -> bool:
    return _tenant_wide_or_own(access, Perm.VIEW_REPORTS, report)


def may_prepare_report(access: TenantAccess, report: Report) -> bool:
    """Edit the draft, generate and retry PDFs."""
    return _tenant_wide_or_own(access, Perm.PREPARE_REPORTS, report)


def may_schedule_report(access: TenantAccess, report: Report) -> bool:
    return _tenant_wide_or_own(access, Perm.SCHEDULE_REPORTS, report)


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


# --- Choices of the report pages (added by the pages helper) ----------------------------------


def report_organisation_choices(*, tenant, access: TenantAccess) -> list:
    """The organisations this person may prepare an organisation report about: every
    organisation taking part for the programme team, their own for an organisation's admins.
    By name; one query."""
    from organisations.models import Organisation, Participation

    taking_part = Participation.objects.filter(
        tenant=tenant, status=Participation.Status.ACTIVE
    ).values("organisation_id")
    organisations = Organisation.objects.filter(pk__in=taking_part)
    if not access.can(Perm.PREPARE_REPORTS):
        organisations = organisations.filter(
            pk__in=access.organisations_with(Perm.MANAGE_OWN_REPORTS)
        )
    return list(organisations.order_by("name", "pk"))


def report_assembly_choices(*, tenant) -> list:
    """The tenant's Anchor Assemblies an assembly pack can be for, the latest first."""
    from anchors.models import Assembly

    return list(Assembly.objects.filter(tenant=tenant).order_by("-held_on", "title"))


def report_assembly_get(*, tenant, pk, lock: bool = False):
    """The tenant's Anchor Assembly `pk` (None when it has none by that id), with its charter.
    With `lock`, its row is locked to the end of the transaction, so that two requests to
    prepare its pack at once make one report."""
    from anchors.models import Assembly

    assemblies = Assembly.objects.filter(tenant=tenant, pk=pk)
    if lock:
        assemblies = assemblies.select_for_update(of=("self",))
    return assemblies.select_related("charter").first()


def assembly_pack_report(*, tenant, assembly) -> Report | None:
    """The assembly's progress pack (its latest assembly report), whoever may see it."""
    return (
        Report.objects.filter(tenant=tenant, kind=ReportKind.ASSEMBLY, assembly=assembly)
        .order_by("-created_at", "-id")
        .first()
    )


def report_narrative_themes(*, tenant, report: Report) -> list[str]:
    """The themes a report's narrative is written under: for an organisation report, the
    themes its KVIs fall under (as its KVI table groups them); otherwise (or when it has no
    KVIs) the themes of the tenant's published frameworks. Empty for an assembly pack (one free text
    narrative). In framework then theme order, each name once."""
    from kvi.models import FrameworkStatus, FrameworkTheme, Kvi

    if report.kind == ReportKind.ASSEMBLY:
        return []
    themes = FrameworkTheme.objects.none()
    if report.organisation_id is not None:
        with_kvis = Kvi.objects.filter(
            tenant=tenant, organisation_id=report.organisation_id
        ).values("metric__subtheme__theme_id")
        themes = FrameworkTheme.objects.filter(tenant=tenant, pk__in=with_kvis)
    if not themes.exists():
        themes = FrameworkTheme.objects.filter(
            tenant=tenant, framework__status=FrameworkStatus.PUBLISHED
        )
    names: list[str] = []
    for name in themes.order_by("framework__name", "position", "name").values_list(
        "name", flat=True
    ):
        if name not in names:
            names.append(name)
    return names


def report_chart_kvis(*, tenant, report: Report) -> list:
    """The KVIs a report may chart: its organisation's, by code (none for other kinds)."""
    from kvi.models import Kvi

    if report.organisation_id is None:
        return []
    return list(
        Kvi.objects.filter(tenant=tenant, organisation_id=report.organisation_id)
        .select_related("metric")
        .order_by("code")
    )


def report_api_list(*, tenant, access: TenantAccess | None, organisation_ids=None) -> QuerySet:
    """The reports an API caller may read, newest first, with their organisation and assembly
    and how many versions each has: a partner key (`access` None) every report of its tenant,
    or only its organisations' when the key is restricted to some; a person with their session
    what the pages show them."""
    if access is None:
        reports = Report.objects.filter(tenant=tenant)
    else:
        reports = visible_reports(tenant=tenant, access=access)
    if organisation_ids is not None:
        reports = reports.filter(organisation_id__in=organisation_ids)
    return (
        reports.select_related("organisation", "assembly")
        .annotate(version_count=Count("versions"))
        .order_by("-created_at", "id")
    )
