"""One row of each reporting model in a cast's tenant (for the row-level security tests)."""

from datetime import date

from reporting.models import (
    Report,
    ReportingSettings,
    ReportKind,
    ReportSchedule,
    ReportVersion,
    VersionStatus,
)


def one_row_of_each_reporting_model(cast) -> dict:
    tenant = cast.tenant
    report = Report.objects.create(
        tenant=tenant,
        kind=ReportKind.ORGANISATION,
        title="Social value mid-year report",
        organisation=cast.organisation,
        period_end=date(2022, 9, 30),
        data_freeze_date=date(2022, 10, 7),
    )
    return {
        ReportingSettings: ReportingSettings.objects.create(tenant=tenant, actions=["Note"]),
        Report: report,
        ReportVersion: ReportVersion.objects.create(
            tenant=tenant, report=report, number=1, status=VersionStatus.FAILED
        ),
        ReportSchedule: ReportSchedule.objects.create(
            tenant=tenant,
            report=report,
            frequency="monthly",
            recipient=cast.tenant_admin,
            next_run_on=date(2030, 1, 1),
        ),
    }
