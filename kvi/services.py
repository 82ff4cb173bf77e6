"""Writes for the KVI engine: local areas, spend-ledger imports and their background jobs. Each
records an audit event.

Every function takes `tenant`, the acting person and their `access` (tenancy.permissions), and
refuses with PermissionDenied or ValidationError (a message naming the field) before writing.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kvi.ledger import analyse_ledger
from kvi.models import (
    ImportJob,
    ImportKind,
    LedgerStatus,
    LocalArea,
    PostcodeRelease,
    SpendLedgerImport,
)
from kvi.selectors import UNFINISHED, latest_postcode_release
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_upload
from uploads.storage import save_private

DISTRICT_CODE_RE = re.compile(r"^[ENSW]\d{8}$")  # ONS local authority district, e.g. E08000015


# --- Local areas ----------------------------------------------------------------------------


def local_area_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    name: str,
    district_codes: list[str],
    local_area: LocalArea | None = None,
) -> LocalArea:
    """Create or change the tenant's local area: a named set of ONS district codes."""
    access.require(Perm.MANAGE_TENANT_SETTINGS)
    name = name.strip()
    codes = sorted({code.strip().upper() for code in district_codes if code.strip()})
    errors = {}
    if not name:
        errors["name"] = "Enter the local area's name."
    if not codes:
        errors["district_codes"] = "Enter at least one local authority district code."
    elif bad := [code for code in codes if not DISTRICT_CODE_RE.match(code)]:
        errors["district_codes"] = (
            f"Not a local authority district code: {', '.join(bad)} (they look like E08000015)."
        )
    clash = LocalArea.objects.filter(tenant=tenant, name__iexact=name)
    if local_area is not None:
        clash = clash.exclude(pk=local_area.pk)
    if name and clash.exists():
        errors["name"] = f"There is already a local area called {name}."
    if errors:
        raise ValidationError(errors)
    changes: dict[str, object] = {}
    if local_area is None:
        local_area = LocalArea.objects.create(tenant=tenant, name=name, district_codes=codes)
        verb, changes = "local_area.created", {"name": name, "district_codes": codes}
    else:
        if local_area.name != name:
            changes["name"] = [local_area.name, name]
        if sorted(local_area.district_codes) != codes:
            changes["district_codes"] = [sorted(local_area.district_codes), codes]
        local_area.name, local_area.district_codes = name, codes
        local_area.save(update_fields=["name", "district_codes", "updated_at"])
        verb = "local_area.changed"
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=local_area, changes=changes)
    return local_area


# --- Spend ledgers ---------------------------------------------------------------------------


def _require_ledger_permission(access: TenantAccess, organisation) -> None:
    if not access.can(Perm.UPLOAD_ORGANISATION_DATA, organisation_id=organisation.id):
        raise PermissionDenied("You may not upload spend ledgers for this organisation.")


def _sha256(uploaded_file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    chunks = getattr(uploaded_file, "chunks", None)
    for chunk in chunks() if chunks else iter(lambda: uploaded_file.read(1 << 20), b""):
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def spend_ledger_import(
    *,
    tenant,
    actor,
    access: TenantAccess,
    organisation,
    uploaded_file: IO[bytes],
    local_area: LocalArea,
    release: PostcodeRelease | None = None,
) -> SpendLedgerImport:
    """Import an organisation's spend ledger against a local area and a postcode release (by
    default the latest). A file with any bad row is recorded as refused, with its errors, and
    nothing else; a good one as imported, with aggregates only. The same file again (same
    bytes, same organisation) returns the first import and changes nothing."""
    _require_ledger_permission(access, organisation)
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    if local_area.tenant_id != tenant.id:
        raise ValidationError({"local_area": "Choose one of this programme's local areas."})
    release = release or latest_postcode_release()
    if release is None:
        raise ValidationError("No postcode directory has been loaded yet: ask a platform admin.")

    file_sha256 = _sha256(uploaded_file)
    existing = SpendLedgerImport.objects.filter(
        tenant=tenant, organisation=organisation, file_sha256=file_sha256
    ).first()
    if existing is not None:
        return existing

    result = analyse_ledger(uploaded_file, release=release, local_area=local_area)
    file_name = os.path.basename(getattr(uploaded_file, "name", "") or "ledger.csv")[:255]
    try:
        with transaction.atomic():
            ledger = SpendLedgerImport.objects.create(
                tenant=tenant,
                organisation=organisation,
                file_name=file_name,
                file_sha256=file_sha256,
                status=LedgerStatus.REFUSED if result.refused else LedgerStatus.IMPORTED,
                period_start=result.period_start,
                period_end=result.period_end,
                release=release,
                local_area=local_area,
                results=result.results_json(),
                row_notes={} if result.refused else result.row_notes_json(),
                errors=[error.as_dict() for error in result.errors],
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        # The same file was imported at the same moment by someone else: theirs stands.
        return SpendLedgerImport.objects.get(
            tenant=tenant, organisation=organisation, file_sha256=file_sha256
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="spend_ledger.refused" if result.refused else "spend_ledger.imported",
        obj=ledger,
        changes={
            "organisation": str(organisation.id),
            "file_name": file_name,
            "file_sha256": file_sha256,
            "release": release.name,
            "local_area": local_area.name,
            "rows": result.rows,
            "errors": len(result.errors),
        },
    )
    return ledger


# --- Spend-ledger uploads, imported in the background (kvi/upload_tasks.py) ---------------

LEDGER_MAX_BYTES = 200 * 1024 * 1024  # a 1,000,000-row ledger is about 80 MB
# A job still unfinished after this long was lost (a worker's broker messages are redelivered
# within the 2-hour visibility timeout): the same file may then be uploaded again.
STALE_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class LedgerUpload:
    """An upload's outcome: a job queued (or already queued for the same file), or the earlier
    import of the very same file (nothing new is done)."""

    job: ImportJob | None = None
    already_imported: SpendLedgerImport | None = None


def spend_ledger_upload(
    *,
    tenant,
    actor,
    access: TenantAccess,
    organisation,
    uploaded_file: IO[bytes],
    local_area: LocalArea,
) -> LedgerUpload:
    """Check an uploaded ledger (a CSV, at most LEDGER_MAX_BYTES), store it privately and queue
    its import. The same file as an earlier import (or a job still running) starts nothing."""
    _require_ledger_permission(access, organisation)
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    if local_area.tenant_id != tenant.id:
        raise ValidationError({"local_area": "Choose one of this programme's local areas."})
    if latest_postcode_release() is None:
        raise ValidationError("No postcode directory has been loaded yet: ask a platform admin.")
    try:
        checked = check_upload(
            uploaded_file, allowed_types=[FileType.CSV], max_bytes=LEDGER_MAX_BYTES
        )
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    earlier = SpendLedgerImport.objects.filter(
        tenant=tenant, organisation=organisation, file_sha256=checked.sha256
    ).first()
    if earlier is not None:
        return LedgerUpload(already_imported=earlier)
    running = ImportJob.objects.filter(
        tenant=tenant,
        organisation=organisation,
        kind=ImportKind.SPEND_LEDGER,
        file_sha256=checked.sha256,
        status__in=UNFINISHED,
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if running is not None:
        return LedgerUpload(job=running)
    job = ImportJob.objects.create(
        tenant=tenant,
        kind=ImportKind.SPEND_LEDGER,
        organisation=organisation,
        storage_key=save_private(uploaded_file, tenant_id=tenant.id, folder="spend-ledgers"),
        file_name=checked.file_name,
        file_sha256=checked.sha256,
        summary={"local_area": str(local_area.pk), "local_area_name": local_area.name},
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="spend_ledger.uploaded",
        obj=job,
        changes={
            "organisation": str(organisation.id),
            "file_name": checked.file_name,
            "file_sha256": checked.sha256,
            "size": checked.size,
            "local_area": local_area.name,
        },
    )
    from kvi.upload_tasks import spend_ledger_import_task  # it imports this module

    spend_ledger_import_task.delay_on_commit(str(tenant.id), str(job.pk))
    return LedgerUpload(job=job)


# --- Frameworks, KVIs and measurements (kvi/frameworks.py, kvi/measurements.py) --------------

from kvi.frameworks import (  # noqa: E402
    crosswalk_add,
    framework_create,
    framework_new_version,
    framework_publish,
    metric_save,
    subtheme_save,
    theme_save,
)
from kvi.measurements import (  # noqa: E402
    KviInput,
    kvi_create,
    kvi_spc_settings_save,
    kvi_update,
    measurement_correct,
    measurement_record,
    measurement_return,
    measurement_submit,
    measurement_validate,
)

__all__ = [
    "KviInput",
    "crosswalk_add",
    "framework_create",
    "framework_new_version",
    "framework_publish",
    "kvi_create",
    "kvi_spc_settings_save",
    "kvi_update",
    "local_area_save",
    "measurement_correct",
    "measurement_record",
    "measurement_return",
    "measurement_submit",
    "measurement_validate",
    "metric_save",
    "spend_ledger_import",
    "spend_ledger_upload",
    "subtheme_save",
    "theme_save",
]
