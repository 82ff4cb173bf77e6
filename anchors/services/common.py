"""What every anchors service shares: checks that an object is this tenant's and an anchor
charter's, who may act for a member, and queuing email after commit."""

from django.core.exceptions import PermissionDenied, ValidationError

from charters.models import ON_REGISTER, Charter, CharterKind, Signatory
from tenancy.permissions import Perm, TenantAccess


def who(actor):
    """The acting person, or None for the system (a task, demo data)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def queue_notice(tenant, kind: str, object_id) -> None:
    """Email after commit (anchors.tasks.NOTICES says who is told what)."""
    from anchors.tasks import send_anchor_email

    send_anchor_email.delay_on_commit(str(tenant.id), kind, str(object_id))


def own(tenant, obj, what: str = "This"):
    """Refuse an object that is not this tenant's (a stale or forged object)."""
    if obj.tenant_id != tenant.id:
        raise PermissionDenied(f"{what} is not part of this programme.")
    return obj


def require_anchor_charter(tenant, charter: Charter) -> Charter:
    own(tenant, charter, "This charter")
    if charter.kind != CharterKind.ANCHOR:
        raise ValidationError(f"{charter.title} is not an Anchor Institution Charter.")
    return charter


def require_member(tenant, signatory: Signatory) -> Signatory:
    """A signatory of an anchor charter on the register (signed, or asked to re-confirm)."""
    own(tenant, signatory, "This member")
    require_anchor_charter(tenant, signatory.charter)
    if signatory.status not in ON_REGISTER:
        raise ValidationError(
            f"{signatory.organisation.name} is not a member of {signatory.charter.title} "
            f"({signatory.get_status_display().lower()})."
        )
    return signatory


def require_member_admin(access: TenantAccess, signatory: Signatory) -> None:
    """Only an organisation admin of the member acts for it (SIGN_CHARTER, org-scoped)."""
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied(
            f"Only an organisation admin of {signatory.organisation.name} can do that."
        )
