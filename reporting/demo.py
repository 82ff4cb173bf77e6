"""Demo board papers for Cheshire and Merseyside (repeatable: what exists is left alone):

- Wirral Community Health and Care's "Social value mid-year report" for its public board of
  19 October 2022, rebuilt from the KVI, charter, award and anchor demo data
  (reporting/demo_fields.py holds its cover sheet), with a quarterly schedule emailing the
  board reporter;
- the system report for the partnership for the same half year;
- the Anchor Assembly pack for the first assembly (12 July 2023).

Each gets a first PDF, queued after commit: the worker of `make run` produces them. The demo's
figures are entered when it is seeded, so the papers' data freeze date is the seeding day."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from anchors.models import Assembly
from kvi.models import Kvi
from organisations.models import Organisation
from reporting import services
from reporting.demo_fields import (
    CM_SLUG,
    WIRRAL_CHART_KVI_CODES,
    WIRRAL_ODS,
    cm_system_report_fields,
    wirral_report_fields,
)
from reporting.models import Report, ReportKind, ScheduleFrequency
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tenancy.permissions import tenant_access_for

TENANT_ADMIN = "tenant.admin@demo.example"
BOARD_REPORTER = "board.reporter@demo.example"


def build_demo() -> None:
    tenant = Tenant.objects.filter(slug=CM_SLUG).first()
    wirral = Organisation.objects.filter(ods_code=WIRRAL_ODS).first()
    users = {
        u.email: u
        for u in get_user_model().objects.filter(email__in=[TENANT_ADMIN, BOARD_REPORTER])
    }
    if tenant is None or wirral is None or len(users) < 2:
        return
    with tenant_context(tenant.id), transaction.atomic():
        admin = users[TENANT_ADMIN]
        access = tenant_access_for(user=admin, tenant=tenant)
        team: dict[str, Any] = {"tenant": tenant, "actor": admin, "access": access}
        today = timezone.localdate()
        wirral_report = _wirral_report(team, wirral, today)
        if wirral_report is not None and not wirral_report.schedules.exists():
            services.schedule_save(
                **team,
                report=wirral_report,
                data=services.ScheduleInput(
                    frequency=ScheduleFrequency.QUARTERLY,
                    recipient=users[BOARD_REPORTER],
                    day_of_month=1,
                ),
            )
        _system_report(team, today)
        _assembly_pack(team, today)


def _generate_first(team, report: Report) -> None:
    if not report.versions.exists():
        services.report_generate(**team, report=report)


def _wirral_report(team, wirral, today) -> Report | None:
    tenant = team["tenant"]
    fields = wirral_report_fields()
    report = Report.objects.filter(
        tenant=tenant, kind=ReportKind.ORGANISATION, organisation=wirral, title=fields["title"]
    ).first()
    if report is None:
        charted = dict(
            Kvi.objects.filter(
                tenant=tenant, organisation=wirral, code__in=WIRRAL_CHART_KVI_CODES
            ).values_list("code", "pk")
        )
        report = services.report_create(
            **team,
            kind=ReportKind.ORGANISATION,
            organisation=wirral,
            data_freeze_date=today,
            chart_kvi_ids=[str(charted[c]) for c in WIRRAL_CHART_KVI_CODES if c in charted],
            **fields,
        )
    _generate_first(team, report)
    return report


def _system_report(team, today) -> None:
    fields = cm_system_report_fields()
    report = Report.objects.filter(
        tenant=team["tenant"], kind=ReportKind.SYSTEM, title=fields["title"]
    ).first()
    if report is None:
        report = services.report_create(
            **team, kind=ReportKind.SYSTEM, data_freeze_date=today, **fields
        )
    _generate_first(team, report)


def _assembly_pack(team, today) -> None:
    tenant = team["tenant"]
    assembly = Assembly.objects.filter(tenant=tenant).order_by("held_on").first()
    if assembly is None:
        return
    report = Report.objects.filter(
        tenant=tenant, kind=ReportKind.ASSEMBLY, assembly=assembly
    ).first()
    if report is None:
        report = services.report_create(
            **team,
            kind=ReportKind.ASSEMBLY,
            assembly=assembly,
            title=f"Anchor Assembly progress pack: {assembly.held_on:%-d %B %Y}",
            period_end=min(assembly.held_on, today),
            data_freeze_date=today,
            action_required="Note",
        )
    _generate_first(team, report)
