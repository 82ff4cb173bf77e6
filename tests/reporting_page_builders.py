"""Board report data for the page, API and service tests: people in more roles, reports and
versions straight in the tables (a "ready" version with a small stored PDF, so access tests need
no WeasyPrint run), and a report generated for real through the service and the task.

Call these inside `tenant_context(cast.tenant.id)` (`person` and `other_organisation_admin`
set it themselves)."""

from datetime import date

from reporting import services, tasks
from reporting.models import Report, ReportKind, ReportVersion, VersionStatus
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import tenant_access_for
from tests import factories
from uploads.storage import chunks_of, store_atomically

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def as_user(cast, user) -> dict:
    return {
        "tenant": cast.tenant,
        "actor": user,
        "access": tenant_access_for(user=user, tenant=cast.tenant),
    }


def person(cast, role, organisation=None):
    """Another person with a role in the cast's tenant (in its context: callable anywhere)."""
    user = factories.UserFactory()
    with tenant_context(cast.tenant.id):
        factories.MembershipFactory(
            tenant=cast.tenant, user=user, role=role, organisation=organisation
        )
    return user


def other_organisation_admin(cast):
    """The admin of the cast's other organisation (not the one its reports are about)."""
    return person(cast, Role.ORGANISATION_ADMIN, cast.other_organisation)


def draft(cast, kind=ReportKind.ORGANISATION, **fields) -> Report:
    values = {
        "title": "Social value mid-year report",
        "period_end": date(2022, 9, 30),
        "data_freeze_date": date(2022, 10, 7),
        "meeting": "Public Board of Directors",
        "meeting_date": date(2022, 10, 19),
        "agenda_item": "12",
        "action_required": "Assure",
        "executive_summary": "Good progress on local spend.",
        "created_by": cast.board_reporter,
    }
    if kind == ReportKind.ORGANISATION:
        values["organisation"] = cast.organisation
    values.update(fields)
    return Report.objects.create(tenant=cast.tenant, kind=kind, **values)


def version(cast, report, *, number=None, status=VersionStatus.QUEUED, **fields) -> ReportVersion:
    if number is None:
        number = (
            report.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
    return ReportVersion.objects.create(
        tenant=cast.tenant,
        report=report,
        number=number,
        status=status,
        requested_by=fields.pop("requested_by", cast.board_reporter),
        **fields,
    )


def ready_version(cast, report, *, number=None, content: bytes = PDF) -> ReportVersion:
    """A ready version whose PDF (a tiny stand-in) is stored under its key."""
    made = version(cast, report, number=number, status=VersionStatus.QUEUED)
    key = tasks.pdf_key(made)
    sha256 = store_atomically(key, chunks_of(content))
    ReportVersion.objects.filter(pk=made.pk).update(
        status=VersionStatus.READY,
        progress=100,
        progress_message="Ready",
        storage_key=key,
        sha256=sha256,
        size=len(content),
        page_count=1,
    )
    made.refresh_from_db()
    return made


def generated(cast, report, user=None) -> ReportVersion:
    """Ask for a PDF through the service and produce it with the task (a real PDF)."""
    user = user or cast.board_reporter
    asked = services.report_generate(**as_user(cast, user), report=report)
    outcome = tasks.report_version_produce(tenant_id=cast.tenant.id, version_id=asked.pk)
    assert outcome == "produced", outcome
    asked.refresh_from_db()
    return asked
