"""Writes for the evidence files of a member's return: stored privately (uploads.storage),
judged from their content, at most MAX_FILE_BYTES each and MAX_RETURN_BYTES for one return.
Files can be added while the return is being written or queried, and removed before it is
sent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from anchors.models import MemberReturn, ReturnEvidence, ReturnStatus
from anchors.services.common import own, require_member_admin, who
from anchors.services.returns import require_editable, require_open_round
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_file_field, human_size
from uploads.storage import delete_private, stored_privately

# Evidence may be added while the member can still change the return or answer queries.
EVIDENCE_EDITABLE = (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT, ReturnStatus.QUERIED)
EVIDENCE_TYPES = (
    FileType.PDF,
    FileType.DOCX,
    FileType.XLSX,
    FileType.CSV,
    FileType.PNG,
    FileType.JPEG,
)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RETURN_BYTES = 100 * 1024 * 1024
STORAGE_FOLDER = "anchor-evidence"


def return_evidence_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    member_return: MemberReturn,
    uploaded_file,
    pillar_code: str = "",
    description: str = "",
) -> ReturnEvidence:
    own(tenant, member_return, "This return")
    require_member_admin(access, member_return.signatory)
    require_open_round(member_return)
    if member_return.status not in EVIDENCE_EDITABLE:
        raise ValidationError(
            {
                "file": f"This return is {member_return.get_status_display().lower()}: files can "
                "no longer be added."
            }
        )
    checked = check_file_field(
        uploaded_file, allowed_types=EVIDENCE_TYPES, max_bytes=MAX_FILE_BYTES
    )
    stored = (
        ReturnEvidence.objects.filter(tenant=tenant, member_return=member_return).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    if stored + checked.size > MAX_RETURN_BYTES:
        raise ValidationError(
            {
                "file": f"{checked.file_name} would take this return's files over "
                f"{human_size(MAX_RETURN_BYTES)}: choose a smaller file."
            }
        )
    with stored_privately(uploaded_file, tenant_id=tenant.id, folder=STORAGE_FOLDER) as key:
        evidence = ReturnEvidence.objects.create(
            tenant=tenant,
            member_return=member_return,
            pillar_code=pillar_code,
            description=description.strip()[:300],
            **checked.stored_fields(key),
            uploaded_by=who(actor),
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_return.evidence_added",
        obj=member_return,
        changes={
            "evidence": str(evidence.pk),
            "file_name": evidence.file_name,
            "sha256": evidence.sha256,
        },
    )
    return evidence


def return_evidence_remove(
    *, tenant, actor, access: TenantAccess, evidence: ReturnEvidence
) -> None:
    """Take a file off a return not yet submitted (the stored file is deleted)."""
    own(tenant, evidence, "This file")
    member_return = evidence.member_return
    require_member_admin(access, member_return.signatory)
    require_editable(member_return)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_return.evidence_removed",
        obj=member_return,
        changes={"evidence": str(evidence.pk), "file_name": evidence.file_name},
    )
    key = evidence.storage_key
    evidence.delete()
    transaction.on_commit(lambda: delete_private(key))


def return_evidence_get(*, tenant, access: TenantAccess, pk) -> ReturnEvidence:
    """A file for download: the programme team, or people of the member's organisation."""
    evidence = (
        ReturnEvidence.objects.filter(tenant=tenant, pk=pk)
        .select_related("member_return__signatory")
        .first()
    )
    if evidence is None:
        raise PermissionDenied("No such file.")
    organisation_id = evidence.member_return.signatory.organisation_id
    if not (
        access.can(Perm.MANAGE_CHARTERS)
        or access.can(Perm.VIEW_OWN_SIGNATURE, organisation_id=organisation_id)
    ):
        raise PermissionDenied("You may not see this file.")
    return evidence
