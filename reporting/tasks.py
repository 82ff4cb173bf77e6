"""Producing a report version's PDF (the "pdf" queue), once, whatever happens to the worker; and
the beat task that runs schedules.

`generate_report_pdf` is queued after commit by reporting.services.report_generate (and by a
retry). Unlike most tenant tasks it does not run in one transaction: each step commits on its
own, so the browser polling the version sees the progress. It:

1. takes a PostgreSQL advisory lock on the version (held by this worker's connection, so it is
   released if the worker dies): a duplicated delivery finds it taken and stops;
2. stops if the version is ready and its file is there, or failed (a retry queues it again);
   removes temporary files a killed worker left; marks it running (attempts + 1);
3. reads the report's inputs (reporting.content: the data as it stood at the freeze date);
4. if the file of the version's key is already there (a worker stored it and died before
   marking the version ready), reuses it; otherwise renders the PDF (reporting.documents) and
   stores it with uploads.storage.store_atomically: the key holds the whole PDF or nothing;
5. marks the version ready (key, SHA-256, size, pages, the inputs' hash) by compare-and-set, and
   for a scheduled version emails the schedule's recipient a link.

The key is derived from the version's id, so every run for one request writes one place: a
retried or duplicated task never produces two files for one request.
"""

import io
import logging
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone

from reporting import services
from reporting.models import ReportVersion, VersionStatus
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tenancy.services import audit_record
from tenancy.tasks import TenantTask, queue_for_every_active_tenant, site_link
from uploads.storage import chunks_of, leftovers, private_path, sha256_of, store_atomically

logger = logging.getLogger(__name__)

FAILURE_MESSAGE = (
    "Something went wrong while producing the PDF. Try again; if it fails again, tell the "
    "programme's support team."
)


def pdf_key(version: ReportVersion) -> str:
    """The one place a report version's PDF is stored (private storage key)."""
    return f"{version.tenant_id}/reports/{version.report_id}/{version.pk}.pdf"


def pdf_page_count(data: bytes) -> int:
    """Pages of a stored PDF (a reused file)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@contextmanager
def version_lock(version_id: str):
    """A session-level advisory lock on the version: True when this worker holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [version_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [version_id])


def _progress(tenant_id, version_id, percent: int, message: str) -> None:
    with tenant_context(tenant_id):
        ReportVersion.objects.filter(
            tenant_id=tenant_id, pk=version_id, status=VersionStatus.RUNNING
        ).update(progress=percent, progress_message=message[:200], updated_at=timezone.now())


# --- The job -------------------------------------------------------------------------------------


def report_version_produce(*, tenant_id, version_id) -> str:
    """Produce the version's PDF once. Returns what happened: "produced", "reused" (the file a
    dead worker stored), "skipped", "busy" (another worker has it), "failed" or "missing"."""
    with version_lock(str(version_id)) as held:
        if not held:
            return "busy"
        with tenant_context(tenant_id):
            version = (
                ReportVersion.objects.filter(tenant_id=tenant_id, pk=version_id)
                .select_related("report")
                .first()
            )
            if version is None:
                return "missing"
            key = pdf_key(version)
            if version.status == VersionStatus.READY and private_path(key).is_file():
                return "skipped"
            if version.status == VersionStatus.FAILED:
                return "skipped"
            for leftover in leftovers(key):  # we hold the lock: nobody else is writing
                leftover.unlink(missing_ok=True)
            ReportVersion.objects.filter(tenant_id=tenant_id, pk=version.pk).update(
                status=VersionStatus.RUNNING,
                attempts=version.attempts + 1,
                started_at=timezone.now(),
                progress=5,
                progress_message="Reading the figures",
                updated_at=timezone.now(),
            )
        try:
            return _produce(tenant_id, version, key)
        except Exception as error:
            logger.exception("Report version %s could not be produced", version.pk)
            _mark_failed(tenant_id, version, error)
            return "failed"


def _produce(tenant_id, version: ReportVersion, key: str) -> str:
    from reporting import content, documents

    with tenant_context(tenant_id):
        report = version.report.__class__.objects.select_related(
            "tenant", "organisation", "assembly"
        ).get(tenant_id=tenant_id, pk=version.report_id)
        inputs = content.report_inputs(report)
    digest = content.inputs_sha256(inputs)
    if private_path(key).is_file():
        outcome = "reused"
        sha256 = sha256_of(key)
        data = private_path(key).read_bytes()
        pages = pdf_page_count(data)
    else:
        outcome = "produced"
        _progress(tenant_id, version.pk, 20, "Laying out the pages")
        rendered = documents.report_pdf(
            inputs,
            on_progress=lambda percent, message: _progress(tenant_id, version.pk, percent, message),
        )
        _progress(tenant_id, version.pk, 95, "Storing the PDF")
        sha256 = store_atomically(key, chunks_of(rendered.pdf))
        data, pages = rendered.pdf, rendered.page_count
    now = timezone.now()
    with tenant_context(tenant_id):
        finished = ReportVersion.objects.filter(
            tenant_id=tenant_id, pk=version.pk, status=VersionStatus.RUNNING
        ).update(
            status=VersionStatus.READY,
            progress=100,
            progress_message="Ready",
            storage_key=key,
            sha256=sha256,
            size=len(data),
            page_count=pages,
            inputs_sha256=digest,
            finished_at=now,
            updated_at=now,
        )
        if finished:
            audit_record(
                tenant=version.report.tenant,
                actor=None,
                verb="report.pdf_produced",
                obj=version,
                changes={"sha256": sha256, "pages": pages, "reused_file": outcome == "reused"},
            )
            if version.schedule_id:
                send_report_ready_email.delay_on_commit(str(tenant_id), str(version.pk))
    return outcome


def _mark_failed(tenant_id, version: ReportVersion, error: Exception) -> None:
    reason = FAILURE_MESSAGE
    if isinstance(error, ValidationError):
        reason = " ".join(error.messages)
    with tenant_context(tenant_id):
        if ReportVersion.objects.filter(
            tenant_id=tenant_id, pk=version.pk, status=VersionStatus.RUNNING
        ).update(
            status=VersionStatus.FAILED,
            failure_reason=reason,
            progress_message="Failed",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        ):
            audit_record(
                tenant=Tenant.objects.get(pk=tenant_id),
                actor=None,
                verb="report.pdf_failed",
                obj=version,
                changes={"reason": reason, "error": type(error).__name__},
            )


@shared_task
def generate_report_pdf(tenant_id: str, version_id: str) -> str:
    """Produce one report version's PDF (idempotent: see the module's docstring)."""
    if not Tenant.objects.filter(id=tenant_id, is_active=True).exists():
        return "missing"
    return report_version_produce(tenant_id=tenant_id, version_id=version_id)


@shared_task(base=TenantTask)
def send_report_ready_email(tenant_id: str, version_id: str) -> int:
    """Tell a schedule's recipient that its report's new PDF is ready, with a link."""
    version = (
        ReportVersion.objects.filter(tenant_id=tenant_id, pk=version_id)
        .select_related("report", "report__tenant", "schedule__recipient")
        .first()
    )
    if version is None or version.schedule is None or version.status != VersionStatus.READY:
        return 0
    recipient = version.schedule.recipient
    if not recipient.is_active:
        return 0
    report = version.report
    link = site_link("report_detail", report.tenant.slug, report.pk)
    return send_mail(
        subject=f"Board report ready: {report.title}",
        message=(
            f'The scheduled PDF of "{report.title}" (version {version.number}, figures to '
            f"{report.period_end:%-d %B %Y}) is ready. Sign in to download it:\n\n{link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
    )


# --- Schedules -----------------------------------------------------------------------------------


@shared_task
def queue_scheduled_reports() -> int:
    """Each morning (Celery beat): run the schedules of every active tenant."""
    return queue_for_every_active_tenant(run_report_schedules)


@shared_task(base=TenantTask)
def run_report_schedules(tenant_id: str) -> int:
    """One tenant's schedules due today: each asks for a new version once."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return services.schedules_run(tenant=tenant, today=timezone.localdate())
