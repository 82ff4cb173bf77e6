"""What every awards service shares: who may act on an application, moving an application
from one state to another (compare-and-set, ApplicationEvent, audit) and queuing email."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards.models import (
    EDITABLE_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    AssessorAssignment,
    Conflict,
)
from tenancy.permissions import Perm, TenantAccess, tenant_access_for
from tenancy.services import audit_record


def who(actor):
    """The acting person, or None for the system (a task, demo data)."""
    return actor if actor is not None and actor.is_authenticated else None


def queue_notice(tenant, kind: str, object_id) -> None:
    """Email after commit (awards.tasks.NOTICES says who is told what)."""
    from awards.tasks import send_award_email

    send_award_email.delay_on_commit(str(tenant.id), kind, str(object_id))


def own_application(tenant, application: Application) -> Application:
    """Refuse an application that is not this tenant's (a stale or forged object)."""
    if application.tenant_id != tenant.id:
        raise PermissionDenied("This application is not part of this programme.")
    return application


def require_applicant(
    access: TenantAccess, application: Application, perm: Perm = Perm.EDIT_AWARD_APPLICATION
) -> None:
    """Only people of the applying organisation with `perm` (organisation-scoped)."""
    if not access.can(perm, organisation_id=application.organisation_id):
        raise PermissionDenied(
            f"Only people of {application.organisation.name} with the right role can do that."
        )


def user_may(tenant, user, perm: Perm, *, organisation_id=None) -> bool:
    """Whether another person (an assessor being assigned, a panel member) holds `perm`."""
    return tenant_access_for(user=user, tenant=tenant).can(perm, organisation_id=organisation_id)


def cleared_assignment(tenant, application: Application, user) -> AssessorAssignment:
    """The person's assignment to the application, declared free of conflict; else refused."""
    assignment = AssessorAssignment.objects.filter(
        tenant=tenant, application=application, assessor=user
    ).first()
    if assignment is None:
        raise PermissionDenied("You are not assigned to assess this application.")
    if assignment.conflict == Conflict.CONFLICTED:
        raise PermissionDenied("You declared a conflict of interest with this application.")
    if assignment.conflict != Conflict.NONE:
        raise PermissionDenied("Declare whether you have a conflict of interest first.")
    return assignment


def move(
    *,
    tenant,
    actor,
    application: Application,
    allowed_from: tuple[str, ...],
    to_status: str,
    action: str,
    reason: str = "",
    notice: str | None = None,
    **updates: Any,
) -> Application:
    """Move the application to `to_status` if it is in one of `allowed_from` and nobody moved
    it meanwhile (compare-and-set on the status read). Records the event and the audit, queues
    the notice. `action` completes "This application … cannot be <action>"."""
    from_status = application.status
    if from_status not in allowed_from:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it cannot be "
            f"{action}."
        )
    now = timezone.now()
    moved = Application.objects.filter(pk=application.pk, tenant=tenant, status=from_status).update(
        status=to_status, updated_at=now, **updates
    )
    if not moved:
        raise ValidationError("Someone else has just changed this application. Reload it.")
    ApplicationEvent.objects.create(
        tenant=tenant,
        application=application,
        from_status=from_status,
        to_status=to_status,
        actor=who(actor),
        reason=reason,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"award_application.{to_status}",
        obj=application,
        changes={"status": [from_status, to_status], "reason": reason},
    )
    application.refresh_from_db()
    if notice:
        queue_notice(tenant, notice, application.pk)
    return application


def require_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it cannot be "
            "changed now."
        )


def status_label(status: str) -> str:
    return ApplicationStatus(status).label.lower()
