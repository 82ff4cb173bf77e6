"""Evidence files on applications: stored privately (uploads.storage), judged from their content
(PDF, DOCX, XLSX, CSV, PNG or JPEG), at most MAX_FILE_BYTES each and MAX_APPLICATION_BYTES for
one application, counting the replaced files its history keeps.

Replacing a file stores the new one and keeps the old one, no longer current, in the history;
removing a file takes it off the application but keeps it stored (nothing uploaded is lost).
A refused file changes nothing.
"""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from awards.models import EDITABLE_STATUSES, Application, Criterion, EvidenceFile
from awards.services.common import own_application, require_applicant, who
from tenancy.permissions import TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_file_field, human_size
from uploads.storage import stored_privately

EVIDENCE_TYPES = (
    FileType.PDF,
    FileType.DOCX,
    FileType.XLSX,
    FileType.CSV,
    FileType.PNG,
    FileType.JPEG,
)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_APPLICATION_BYTES = 100 * 1024 * 1024
STORAGE_FOLDER = "award-evidence"


def _require_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: its evidence "
            "cannot change now."
        )


def _check(tenant, application: Application, uploaded_file):
    checked = check_file_field(
        uploaded_file, allowed_types=EVIDENCE_TYPES, max_bytes=MAX_FILE_BYTES
    )
    stored = (
        EvidenceFile.objects.filter(tenant=tenant, application=application).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    if stored + checked.size > MAX_APPLICATION_BYTES:
        raise ValidationError(
            {
                "file": f"{checked.file_name} would take this application's files over "
                f"{human_size(MAX_APPLICATION_BYTES)} (it holds {human_size(stored)}, counting "
                "replaced files kept in its history): choose a smaller file."
            }
        )
    return checked


def _store(tenant, application, uploaded_file, checked, actor, **fields) -> EvidenceFile:
    with stored_privately(uploaded_file, tenant_id=tenant.id, folder=STORAGE_FOLDER) as key:
        return EvidenceFile.objects.create(
            tenant=tenant,
            application=application,
            **checked.stored_fields(key),
            uploaded_by=who(actor),
            **fields,
        )


def evidence_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    uploaded_file,
    criterion: Criterion | None = None,
    description: str = "",
) -> EvidenceFile:
    own_application(tenant, application)
    require_applicant(access, application)
    _require_editable(application)
    if criterion is not None and criterion.version_id != application.version_id:
        raise ValidationError({"criterion": "Choose one of this application's questions."})
    checked = _check(tenant, application, uploaded_file)
    evidence = _store(
        tenant,
        application,
        uploaded_file,
        checked,
        actor,
        criterion=criterion,
        description=description.strip()[:300],
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.evidence_added",
        obj=application,
        changes={
            "evidence": str(evidence.pk),
            "file_name": evidence.file_name,
            "size": evidence.size,
            "sha256": evidence.sha256,
        },
    )
    return evidence


def evidence_replace(
    *, tenant, actor, access: TenantAccess, evidence: EvidenceFile, uploaded_file
) -> EvidenceFile:
    """A new file in place of a current one; the old one stays in the history."""
    application = own_application(tenant, evidence.application)
    require_applicant(access, application)
    _require_editable(application)
    if not evidence.is_current:
        raise ValidationError({"file": "That file has already been replaced or removed."})
    checked = _check(tenant, application, uploaded_file)
    if not EvidenceFile.objects.filter(pk=evidence.pk, tenant=tenant, is_current=True).update(
        is_current=False, updated_at=timezone.now()
    ):
        raise ValidationError({"file": "That file has just been replaced. Reload the page."})
    new = _store(
        tenant,
        application,
        uploaded_file,
        checked,
        actor,
        criterion=evidence.criterion,
        description=evidence.description,
        replaces=evidence,
    )
    evidence.is_current = False
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.evidence_replaced",
        obj=application,
        changes={
            "replaced": str(evidence.pk),
            "evidence": str(new.pk),
            "file_name": [evidence.file_name, new.file_name],
            "sha256": [evidence.sha256, new.sha256],
        },
    )
    return new


def evidence_remove(*, tenant, actor, access: TenantAccess, evidence: EvidenceFile) -> None:
    """Take a file off the application; it stays stored, in the history."""
    application = own_application(tenant, evidence.application)
    require_applicant(access, application)
    _require_editable(application)
    if not EvidenceFile.objects.filter(pk=evidence.pk, tenant=tenant, is_current=True).update(
        is_current=False, updated_at=timezone.now()
    ):
        raise ValidationError({"file": "That file has already been replaced or removed."})
    evidence.is_current = False
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.evidence_removed",
        obj=application,
        changes={"evidence": str(evidence.pk), "file_name": evidence.file_name},
    )
