"""Measurement imports as background jobs (ImportJob, kind "measurements").

1. `measurement_import_start` (the upload page): checks the file (CSV or XLSX, at most 10 MB),
   stores it privately, creates the job (UPLOADED) and queues `kvi.tasks.check_measurement_import`
   after commit.
2. `measurement_import_check` (that task): UPLOADED -> CHECKING -> CHECKED or REFUSED, keeping a
   preview (the first PREVIEW_ROWS good rows), every error (up to MAX_ERRORS) and what the import
   would do ("expected" in `summary`).
3. `measurement_import_confirm` (the "Import" button): CHECKED -> IMPORTING and queues
   `kvi.tasks.run_measurement_import`; `measurement_import_run` (that task) checks the file again
   against the figures as they are now and applies it whole: IMPORTED with its summary, or
   REFUSED (the figures changed since the check) or FAILED with the reason.
4. `measurement_import_cancel`: UPLOADED, CHECKED or REFUSED -> CANCELLED.

Every status change is a compare-and-set on the job row, so a task delivered twice does the work
once. The stored file is deleted (after commit) once the job ends.

Progress: a task runs in one transaction (tenancy.tasks.TenantTask), so whatever it writes to
the job row is invisible until it ends. While it works it writes its progress to the cache
(Redis) under `progress_key(job id)`: {"stage": "checking"|"importing", "done": n, "total": n};
the job page reads it alongside the row and refreshes itself until the job is finished.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kvi.imports import MeasurementRow, RowError, check_rows, measurement_rows_apply
from kvi.imports_files import ALLOWED_TYPES, MAX_BYTES, read_measurement_file
from kvi.imports_values import plain
from kvi.models import ImportJob, ImportKind, ImportStatus
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess, tenant_access_for
from tenancy.services import audit_record
from uploads.checks import check_upload
from uploads.storage import delete_private, open_private, save_private

logger = logging.getLogger(__name__)

S = ImportStatus
PREVIEW_ROWS = 20
MAX_ERRORS = 5000
PROGRESS_SECONDS = 2 * 60 * 60
WORKING = (S.UPLOADED, S.CHECKING, S.IMPORTING)
CANCELLABLE = (S.UPLOADED, S.CHECKED, S.REFUSED)
FOLDER = "kvi-imports"


# --- Progress (the cache, readable while a task's transaction is open) ------------------------


def progress_key(job_id) -> str:
    return f"kvi:import-progress:{job_id}"


def progress_set(job_id, *, stage: str, done: int, total: int) -> None:
    cache.set(
        progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_SECONDS
    )


def progress_get(job: ImportJob) -> dict | None:
    """The running task's progress, read only while the job is being worked on."""
    return cache.get(progress_key(job.pk)) if job.status in WORKING else None


# --- Reads ------------------------------------------------------------------------------------


def import_job_list(*, tenant, organisation) -> QuerySet[ImportJob]:
    """The organisation's measurement imports, newest first, without their row data."""
    return (
        ImportJob.objects.filter(
            tenant=tenant, organisation=organisation, kind=ImportKind.MEASUREMENTS
        )
        .select_related("created_by")
        .defer("preview", "errors")
        .order_by("-created_at")
    )


def import_job_get(*, tenant, access: TenantAccess, job_id) -> ImportJob | None:
    """A measurement import this person may see (RECORD_MEASUREMENTS for its organisation);
    None when there is no such job in this tenant, PermissionDenied when it is not theirs."""
    job = (
        ImportJob.objects.filter(tenant=tenant, pk=job_id, kind=ImportKind.MEASUREMENTS)
        .select_related("organisation", "created_by")
        .first()
    )
    if job is not None:
        access.require(Perm.RECORD_MEASUREMENTS, organisation_id=job.organisation_id)
    return job


# --- Writes -----------------------------------------------------------------------------------


def _delete_file_after_commit(key: str) -> None:
    if key:
        transaction.on_commit(lambda: delete_private(key))


def measurement_import_start(
    *, tenant, actor, access: TenantAccess, organisation, uploaded_file
) -> ImportJob:
    """Store an uploaded measurements file and queue its check. ValidationError {"file": ...}
    when it is empty, too big or not a CSV or XLSX."""
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=organisation.id)
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    try:
        checked = check_upload(uploaded_file, allowed_types=ALLOWED_TYPES, max_bytes=MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    key = save_private(uploaded_file, tenant_id=tenant.id, folder=FOLDER)
    job = ImportJob.objects.create(
        tenant=tenant,
        kind=ImportKind.MEASUREMENTS,
        organisation=organisation,
        storage_key=key,
        file_name=checked.file_name,
        file_sha256=checked.sha256,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="import_job.uploaded",
        obj=job,
        changes={"kind": job.kind, "file_name": job.file_name, "sha256": job.file_sha256},
    )
    from kvi.tasks import check_measurement_import

    check_measurement_import.delay_on_commit(str(tenant.id), str(job.pk))
    return job


def measurement_import_confirm(
    *, tenant, actor, access: TenantAccess, job: ImportJob, submit: bool
) -> ImportJob:
    """The person confirms a checked file: the job moves to IMPORTING and the import is
    queued. `submit`: submit the new and changed figures for validation (else drafts)."""
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=job.organisation_id)
    if job.tenant_id != tenant.id:
        raise PermissionDenied("Not this programme's import.")
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, status=S.CHECKED).update(
        status=S.IMPORTING, updated_at=now
    ):
        raise ValidationError("Only a checked file without errors can be imported, and only once.")
    job.refresh_from_db()
    audit_record(
        tenant=tenant, actor=actor, verb="import_job.confirmed", obj=job, changes={"submit": submit}
    )
    from kvi.tasks import run_measurement_import

    run_measurement_import.delay_on_commit(str(tenant.id), str(job.pk), actor.pk, submit)
    return job


def measurement_import_cancel(*, tenant, actor, access: TenantAccess, job: ImportJob) -> ImportJob:
    """Drop a file that is waiting, checked or refused; its stored copy is deleted."""
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=job.organisation_id)
    if job.tenant_id != tenant.id:
        raise PermissionDenied("Not this programme's import.")
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, status__in=CANCELLABLE).update(
        status=S.CANCELLED, finished_at=now, updated_at=now
    ):
        raise ValidationError("This import can no longer be cancelled.")
    job.refresh_from_db()
    _delete_file_after_commit(job.storage_key)
    audit_record(tenant=tenant, actor=actor, verb="import_job.cancelled", obj=job)
    return job


# --- The work the tasks do ----------------------------------------------------------------------


def _preview(rows: list[MeasurementRow], outcomes: dict[int, str]) -> list[dict]:
    def figure(number):
        return "" if number is None else plain(number)

    return [
        {
            "row": row.row,
            "kvi_code": row.kvi.code,
            "kvi_title": row.kvi.title,
            "period": row.period.isoformat(),
            "value": figure(row.value),
            "numerator": figure(row.numerator),
            "denominator": figure(row.denominator),
            "note": row.note,
            "source": row.source,
            "outcome": outcomes.get(row.row, "unchanged"),
        }
        for row in rows[:PREVIEW_ROWS]
    ]


def _read_and_check(tenant, job: ImportJob, access, stage: str):
    """(good rows, errors, plan, total rows) of the job's stored file."""
    with open_private(job.storage_key) as handle:
        read = read_measurement_file(handle)
    total = read.total_rows
    progress_set(job.pk, stage=stage, done=0, total=total)
    if read.errors:
        return [], read.errors, None, total
    rows, errors, plan = check_rows(
        tenant=tenant,
        access=access,
        organisation=job.organisation,
        records=read.records,
        progress=lambda done: progress_set(job.pk, stage=stage, done=done, total=total),
    )
    return rows, errors, plan, total


def _errors_json(errors: list[RowError]) -> list[dict]:
    listed = [error.as_dict() for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        listed.append(
            RowError(
                0, "", f"…and {len(errors) - MAX_ERRORS:,} more problems: fix these first."
            ).as_dict()
        )
    return listed


def _finish(job: ImportJob, from_status: str, **fields) -> None:
    now = timezone.now()
    if fields.get("status") in (S.IMPORTED, S.REFUSED, S.FAILED):
        fields["finished_at"] = now
        _delete_file_after_commit(job.storage_key)
    ImportJob.objects.filter(pk=job.pk, status=from_status).update(updated_at=now, **fields)
    cache.delete(progress_key(job.pk))


def measurement_import_check(*, tenant, job_id) -> str:
    """Check an uploaded file (the body of the check task). Returns the job's new status, or
    "skipped" when the job was not waiting to be checked (a task delivered twice)."""
    if not ImportJob.objects.filter(
        tenant=tenant, pk=job_id, kind=ImportKind.MEASUREMENTS, status=S.UPLOADED
    ).update(status=S.CHECKING, updated_at=timezone.now()):
        return "skipped"
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    access = tenant_access_for(user=job.created_by, tenant=tenant) if job.created_by else None
    try:
        with transaction.atomic():
            if access is None:
                raise PermissionDenied
            rows, errors, plan, total = _read_and_check(tenant, job, access, "checking")
    except PermissionDenied:
        message = (
            "The person who uploaded the file may no longer record this organisation's figures."
        )
        _finish(job, S.CHECKING, status=S.REFUSED, errors=[RowError(0, "", message).as_dict()])
        return S.REFUSED
    except Exception:  # noqa: BLE001 - any other failure is reported on the job, not lost
        logger.exception("Checking measurement import %s failed", job_id)
        _finish(
            job,
            S.CHECKING,
            status=S.FAILED,
            failure_reason="Something went wrong while checking the file. Try uploading it again.",
        )
        return S.FAILED
    if errors:
        status, summary = S.REFUSED, {"problems": len(errors)}
    else:
        status, summary = S.CHECKED, {"expected": plan.counts()}
    outcomes = {}
    if plan is not None:
        outcomes = {row.row: "new" for row in plan.new}
        outcomes.update({row.row: "changed" for row, _ in plan.changed})
    _finish(
        job,
        S.CHECKING,
        status=status,
        total_rows=total,
        processed_rows=total,
        preview=_preview(rows, outcomes),
        errors=_errors_json(errors),
        summary=summary,
    )
    return status


def measurement_import_run(*, tenant, job_id, user_id, submit: bool) -> str:
    """Import a confirmed file (the body of the import task): the file is checked again against
    the figures as they are now, then applied whole. Returns the job's new status, or "skipped"
    when the job is not being imported (a task delivered twice)."""
    job = (
        ImportJob.objects.select_for_update()
        .filter(tenant=tenant, pk=job_id, kind=ImportKind.MEASUREMENTS, status=S.IMPORTING)
        .first()
    )
    if job is None:
        return "skipped"
    actor = get_user_model().objects.filter(pk=user_id).first()
    try:
        with transaction.atomic():
            access = tenant_access_for(user=actor, tenant=tenant) if actor else None
            if access is None:
                raise PermissionDenied
            rows, errors, _, total = _read_and_check(tenant, job, access, "importing")
            if not errors:
                summary = measurement_rows_apply(
                    tenant=tenant,
                    actor=actor,
                    access=access,
                    organisation=job.organisation,
                    rows=rows,
                    submit=submit,
                )
    except PermissionDenied:
        reason = "The person who pressed Import may no longer record this organisation's figures."
        _finish(job, S.IMPORTING, status=S.FAILED, failure_reason=reason)
        return S.FAILED
    except ValidationError as error:
        _finish(job, S.IMPORTING, status=S.FAILED, failure_reason=" ".join(error.messages))
        return S.FAILED
    except Exception:  # noqa: BLE001 - any other failure is reported on the job, nothing applied
        logger.exception("Measurement import %s failed", job_id)
        reason = "Something went wrong while importing; nothing was imported. Try again."
        _finish(job, S.IMPORTING, status=S.FAILED, failure_reason=reason)
        return S.FAILED
    if errors:
        _finish(
            job,
            S.IMPORTING,
            status=S.REFUSED,
            errors=_errors_json(errors),
            summary={"problems": len(errors)},
            failure_reason="The figures stored changed after the file was checked, so nothing "
            "was imported. These rows now have problems.",
        )
        return S.REFUSED
    _finish(
        job,
        S.IMPORTING,
        status=S.IMPORTED,
        total_rows=total,
        processed_rows=total,
        summary={**summary, "submitted": submit},
    )
    return S.IMPORTED
