"""Evidence files on measurements: the files that back a figure (a report, a spreadsheet, a
photograph), stored privately (uploads.storage) and served only through a view that checks
permission again.

Adding needs RECORD_MEASUREMENTS for the KVI's organisation; a file is judged from its content
(PDF, DOCX, XLSX, CSV, PNG or JPEG), at most 10 MB, and one figure's files may total 50 MB.
A file can be removed only while its figure is a draft: once submitted, the evidence is part of
what was validated. Both are audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from kvi.models import Kvi, Measurement, MeasurementEvidence, MeasurementStatus
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_file_field, human_size
from uploads.storage import delete_private, stored_privately

EVIDENCE_TYPES = (
    FileType.PDF,
    FileType.DOCX,
    FileType.XLSX,
    FileType.CSV,
    FileType.PNG,
    FileType.JPEG,
)
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_MEASUREMENT_BYTES = 50 * 1024 * 1024
STORAGE_FOLDER = "kvi-evidence"


def _kvi_of(tenant, measurement: Measurement) -> Kvi:
    """The measurement's KVI read in this tenant; another tenant's figure is refused."""
    kvi = None
    if measurement.tenant_id == tenant.id:
        kvi = Kvi.objects.filter(tenant=tenant, pk=measurement.kvi_id).first()
    if kvi is None:
        raise ValidationError({"measurement": "Choose one of this programme's figures."})
    return kvi


def _who(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- Reads -----------------------------------------------------------------------------------


def measurement_evidence_list(*, tenant, measurement: Measurement):
    """A figure's evidence files, oldest first, uploader joined."""
    return (
        MeasurementEvidence.objects.filter(tenant=tenant, measurement=measurement)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    )


def measurement_evidence_get(*, tenant, access: TenantAccess, pk) -> MeasurementEvidence | None:
    """An evidence file this person may see: the programme team (VIEW_KVIS) any; organisation
    staff (VIEW_OWN_KVIS) their own organisations'. Figure, KVI and organisation joined."""
    scope = access.organisation_scope(
        tenant_wide=Perm.VIEW_KVIS, per_organisation=Perm.VIEW_OWN_KVIS
    )
    evidence = MeasurementEvidence.objects.filter(tenant=tenant, pk=pk).select_related(
        "measurement", "measurement__kvi", "measurement__kvi__organisation", "uploaded_by"
    )
    if scope is not None:
        evidence = evidence.filter(measurement__kvi__organisation_id__in=scope)
    return evidence.first()


# --- Writes ----------------------------------------------------------------------------------


def measurement_evidence_add(
    *, tenant, actor, access: TenantAccess, measurement: Measurement, uploaded_file
) -> MeasurementEvidence:
    """Keep a file as evidence of a figure. Refuses a file that is empty, too big, of a type not
    accepted (judged from its content) or that takes the figure's files over 50 MB."""
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)
    checked = check_file_field(
        uploaded_file, allowed_types=EVIDENCE_TYPES, max_bytes=MAX_FILE_BYTES
    )
    already = (
        MeasurementEvidence.objects.filter(tenant=tenant, measurement=measurement).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    if already + checked.size > MAX_MEASUREMENT_BYTES:
        raise ValidationError(
            {
                "file": f"{checked.file_name} would take this figure's evidence over "
                f"{human_size(MAX_MEASUREMENT_BYTES)} (it has {human_size(already)} already): "
                "choose a smaller file or remove one first."
            }
        )
    with stored_privately(uploaded_file, tenant_id=tenant.id, folder=STORAGE_FOLDER) as key:
        evidence = MeasurementEvidence.objects.create(
            tenant=tenant,
            measurement=measurement,
            **checked.stored_fields(key),
            uploaded_by=_who(actor),
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="measurement.evidence_added",
        obj=measurement,
        changes={
            "evidence": str(evidence.pk),
            "file_name": evidence.file_name,
            "size": evidence.size,
            "sha256": evidence.sha256,
        },
    )
    return evidence


def measurement_evidence_remove(
    *, tenant, actor, access: TenantAccess, evidence: MeasurementEvidence
) -> None:
    """Remove an evidence file from a draft figure (the file is deleted once the change is
    committed). Once a figure is submitted its evidence stays, as part of what was checked."""
    if evidence.tenant_id != tenant.id:
        raise ValidationError("Choose one of this programme's evidence files.")
    measurement = Measurement.objects.filter(tenant=tenant, pk=evidence.measurement_id).first()
    if measurement is None:
        raise ValidationError("Choose one of this programme's evidence files.")
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)
    if measurement.status != MeasurementStatus.DRAFT:
        raise ValidationError(
            f"The figure is {measurement.get_status_display().lower()}, so its evidence stays "
            "with it as part of what was checked. Add a newer file instead, and say why in "
            "the figure's note."
        )
    with transaction.atomic():
        # Compare-and-set: the figure must still be a draft when the file goes.
        deleted, _ = MeasurementEvidence.objects.filter(
            tenant=tenant,
            pk=evidence.pk,
            measurement__status=MeasurementStatus.DRAFT,
        ).delete()
        if not deleted:
            raise ValidationError("The figure changed while you were removing the file: reload it.")
    key = evidence.storage_key
    transaction.on_commit(lambda: delete_private(key))
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="measurement.evidence_removed",
        obj=measurement,
        changes={"evidence": str(evidence.pk), "file_name": evidence.file_name},
    )
