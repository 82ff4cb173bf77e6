"""Writes for the KVI engine: local areas and spend-ledger imports. Each records an audit event.

Every function takes `tenant`, the acting person and their `access` (tenancy.permissions), and
refuses with PermissionDenied or ValidationError (a message naming the field) before writing.
"""

import hashlib
import os
import re
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kvi.ledger import analyse_ledger
from kvi.models import LedgerStatus, LocalArea, PostcodeRelease, SpendLedgerImport
from kvi.selectors import latest_postcode_release
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

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
    # TODO(permissions): a dedicated Perm for local-spend imports once the KVI permissions land.
    if not (
        access.can(Perm.MANAGE_ORGANISATIONS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id)
    ):
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
    "kvi_update",
    "local_area_save",
    "measurement_correct",
    "measurement_record",
    "measurement_return",
    "measurement_submit",
    "measurement_validate",
    "metric_save",
    "spend_ledger_import",
    "subtheme_save",
    "theme_save",
]
