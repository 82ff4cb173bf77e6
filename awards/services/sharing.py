"""Sharing an application with colleagues of the applying organisation: everyone of the
organisation with EDIT_AWARD_APPLICATION may already work on it; sharing emails one of them a
link to it, with a note, and records who told whom.

The email is sent by awards.sharing_tasks.send_application_share_email after commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import Application
from awards.selectors.applicants import application_colleagues
from awards.services.common import own_application, require_applicant
from tenancy.permissions import TenantAccess
from tenancy.services import audit_record

MAX_NOTE_CHARS = 1000


def application_share(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    colleague,
    note: str = "",
) -> None:
    """Email `colleague` (a person of the same organisation who may work on applications) a
    link to the application."""
    own_application(tenant, application)
    require_applicant(access, application)
    if colleague is None:
        raise ValidationError({"colleague": "Choose the colleague to tell."})
    if colleague.pk == getattr(actor, "pk", None):
        raise ValidationError({"colleague": "Choose a colleague other than yourself."})
    colleagues = {
        c.user.pk
        for c in application_colleagues(tenant=tenant, organisation_id=application.organisation_id)
    }
    if colleague.pk not in colleagues:
        raise PermissionDenied(
            f"Only people of {application.organisation.name} who may work on its applications "
            "can be sent a link to it."
        )
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": f"Keep the note to {MAX_NOTE_CHARS} characters or fewer."})
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.shared",
        obj=application,
        changes={"colleague": colleague.email, "note": note[:200]},
    )
    from awards.sharing_tasks import send_application_share_email

    send_application_share_email.delay_on_commit(
        str(tenant.id), str(application.pk), str(colleague.pk), str(actor.pk), note
    )
