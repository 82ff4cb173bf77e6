"""Award certificates: queuing their production (after commit, on the "pdf" queue) and trying
again after a failure. The work itself is awards.certificate_tasks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards.models import Award, CertificateStatus
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


def certificate_queue(tenant, award: Award) -> None:
    """Produce the award's certificate once the current transaction commits."""
    from awards.certificate_tasks import produce_award_certificate

    produce_award_certificate.delay_on_commit(str(tenant.id), str(award.pk))


def may_retry_certificate(access: TenantAccess, award: Award) -> bool:
    """The programme team, and the holder's organisation admins, may ask for a failed
    certificate again."""
    return access.can(Perm.MANAGE_AWARD_APPLICATIONS) or access.can(
        Perm.APPLY_FOR_AWARD, organisation_id=award.organisation_id
    )


def certificate_retry(*, tenant, actor, access: TenantAccess, award: Award) -> Award:
    """Queue a failed certificate again (compare-and-set: failed -> waiting)."""
    if award.tenant_id != tenant.id:
        raise PermissionDenied("This award is not part of this programme.")
    if not may_retry_certificate(access, award):
        raise PermissionDenied("You do not have permission to do that in this programme.")
    if not Award.objects.filter(
        pk=award.pk, tenant=tenant, certificate_status=CertificateStatus.FAILED
    ).update(certificate_status=CertificateStatus.PENDING, updated_at=timezone.now()):
        award.refresh_from_db()
        raise ValidationError(
            "The certificate is not waiting to be tried again: it is "
            f"{award.get_certificate_status_display().lower()}."
        )
    award.refresh_from_db()
    audit_record(tenant=tenant, actor=actor, verb="award.certificate_retried", obj=award)
    certificate_queue(tenant, award)
    return award
