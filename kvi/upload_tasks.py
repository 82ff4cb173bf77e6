"""Background imports of spend ledgers (the "imports" queue) and the progress they publish.

The upload page (kvi.services.spend_ledger_upload) stores the file privately, creates an
ImportJob and queues `spend_ledger_import_task` after commit (routed to the "imports" queue by
CELERY_TASK_ROUTES). A tenant task runs its body in ONE
transaction (tenancy.tasks.TenantTask), so nothing it writes, not even the job's status, can be
seen by the job page until it ends. While it runs, it publishes what it is doing to the cache
(Redis), keyed by the job's id; the job page reads that (`spend_ledger_job_progress`) and
refreshes itself with <meta http-equiv="refresh">, so no JavaScript is needed. When the task
commits, the job row holds the outcome, the published stage is dropped and the stored file is
deleted (supplier rows are not kept: only the aggregates and the organisation's row notes).

The stages are coarse: kvi.ledger.analyse_ledger reads, checks and aggregates the file in one
call, so the page shows the stage, about how many rows the file has and when it started.
"""

import logging
from datetime import datetime
from enum import StrEnum
from typing import IO

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from kvi.feeds import ledger_feed
from kvi.models import ImportJob, ImportKind, ImportStatus, LedgerStatus, LocalArea
from kvi.services import UNFINISHED, spend_ledger_import
from tenancy.models import Tenant
from tenancy.permissions import NO_ACCESS, tenant_access_for
from tenancy.services import audit_record
from tenancy.tasks import TenantTask
from uploads.storage import delete_private, open_private

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 12 * 60 * 60  # seconds a published stage is kept


class LedgerStage(StrEnum):
    """What a running spend-ledger job is doing, as published to the cache."""

    CHECKING = "checking"  # reading the file, checking every row, resolving the postcodes
    FEEDING = "feeding"  # recording the figures of the organisation's KVIs


def _progress_key(job_id) -> str:
    return f"kvi:spend-ledger-job:{job_id}:progress"


def _progress_publish(job: ImportJob, stage: LedgerStage, *, rows: int, started: datetime) -> None:
    cache.set(
        _progress_key(job.pk),
        {"stage": str(stage), "rows": rows, "started": started.isoformat()},
        PROGRESS_TIMEOUT,
    )


def spend_ledger_job_progress(job: ImportJob) -> dict | None:
    """What a running job last published: {"stage", "rows" (about how many), "started" (a
    datetime)}, or None (not started, or finished)."""
    if job.status not in UNFINISHED:
        return None
    progress = cache.get(_progress_key(job.pk))
    if not progress:
        return None
    return {**progress, "started": datetime.fromisoformat(progress["started"])}


def _count_rows(handle: IO[bytes]) -> int:
    """About how many rows a CSV has (its lines after the header), read in 1 MB blocks."""
    lines, last = 0, b"\n"
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    handle.seek(0)
    return max(lines + (last != b"\n") - 1, 0)


def _run(tenant, job: ImportJob):
    started = timezone.now()
    actor = job.created_by
    access = tenant_access_for(user=actor, tenant=tenant) if actor is not None else NO_ACCESS
    local_area = LocalArea.objects.filter(tenant=tenant, pk=job.summary.get("local_area")).first()
    if local_area is None:
        raise ValidationError("The local area chosen for this ledger no longer exists.")
    with open_private(job.storage_key) as handle:
        rows = _count_rows(handle)
        _progress_publish(job, LedgerStage.CHECKING, rows=rows, started=started)
        ledger = spend_ledger_import(
            tenant=tenant,
            actor=actor,
            access=access,
            organisation=job.organisation,
            uploaded_file=File(handle, name=job.file_name),
            local_area=local_area,
        )
    report = None
    if ledger.status == LedgerStatus.IMPORTED:
        _progress_publish(job, LedgerStage.FEEDING, rows=rows, started=started)
        report = ledger_feed(tenant=tenant, actor=actor, access=access, ledger=ledger).as_json()
    return ledger, report, rows


def spend_ledger_job_run(*, tenant, job_id) -> ImportJob | None:
    """Import the ledger of an uploaded job and feed the organisation's KVIs. Compare-and-set
    on the job's status: another delivery of the task finds the job taken and does nothing
    (None). A failure is recorded on the job (status "failed", with the reason)."""
    if not ImportJob.objects.filter(
        tenant=tenant, pk=job_id, kind=ImportKind.SPEND_LEDGER, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.IMPORTING, updated_at=timezone.now()):
        return None
    job = ImportJob.objects.select_related("organisation", "created_by").get(
        tenant=tenant, pk=job_id
    )
    fields: dict = {}
    try:
        with transaction.atomic():
            ledger, report, rows = _run(tenant, job)
    except (ValidationError, PermissionDenied, OSError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        fields = {"status": ImportStatus.FAILED, "failure_reason": " ".join(messages)}
    except Exception:  # a fault of ours: say so on the job rather than leave it "uploaded"
        logger.exception("Spend-ledger job %s failed", job_id)
        fields = {
            "status": ImportStatus.FAILED,
            "failure_reason": "Something went wrong while importing the file. Nothing was "
            "saved; please try again later, and tell the programme team if it happens again.",
        }
    else:
        refused = ledger.status == LedgerStatus.REFUSED
        fields = {
            "status": ImportStatus.REFUSED if refused else ImportStatus.IMPORTED,
            "total_rows": ledger.results.get("rows", rows),
            "processed_rows": ledger.results.get("rows", 0),
            "errors": ledger.errors,
            "summary": {**job.summary, "spend_ledger_import": str(ledger.pk), "feeds": report},
        }
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
        **fields, finished_at=now, updated_at=now
    )
    job.refresh_from_db()
    key, storage_key = _progress_key(job.pk), job.storage_key

    def forget() -> None:  # once the outcome is committed: supplier rows are not kept
        cache.delete(key)
        delete_private(storage_key)

    transaction.on_commit(forget)
    if job.status == ImportStatus.FAILED:
        audit_record(
            tenant=tenant,
            actor=job.created_by,
            verb="spend_ledger.failed",
            obj=job,
            changes={"failure_reason": job.failure_reason},
        )
    return job


@shared_task(base=TenantTask)
def spend_ledger_import_task(tenant_id: str, job_id: str) -> str:
    """Run one spend-ledger job (idempotent: a second run finds the job taken)."""
    job = spend_ledger_job_run(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    return job.status if job is not None else "skipped"
