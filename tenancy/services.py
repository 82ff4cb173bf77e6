"""Writes for tenants, memberships and invitations. Each records an audit event."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenancy.models import (
    ORGANISATION_ROLES,
    AuditEvent,
    Invitation,
    Membership,
    Role,
    Tenant,
)
from tenancy.permissions import Perm, TenantAccess

INVITATION_LIFETIME = timedelta(days=14)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit_record(*, tenant, actor, verb: str, obj, changes: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    )


def tenant_settings_update(
    *, tenant: Tenant, actor, access: TenantAccess, require_mfa_for_all: bool, description: str
) -> Tenant:
    access.require(Perm.MANAGE_TENANT_SETTINGS)
    changes: dict[str, list] = {}
    if tenant.require_mfa_for_all != require_mfa_for_all:
        changes["require_mfa_for_all"] = [tenant.require_mfa_for_all, require_mfa_for_all]
    if tenant.description != description:
        changes["description"] = [tenant.description, description]
    tenant.require_mfa_for_all = require_mfa_for_all
    tenant.description = description
    tenant.save(update_fields=["require_mfa_for_all", "description", "updated_at"])
    audit_record(
        tenant=tenant, actor=actor, verb="tenant.settings_changed", obj=tenant, changes=changes
    )
    return tenant


def invitation_create(
    *, tenant: Tenant, actor, access: TenantAccess, email: str, role: str, organisation=None
) -> tuple[Invitation, str]:
    """Create an invitation and queue its email. Returns the invitation and the secret token
    (only ever sent in the email's link)."""
    email = email.strip().lower()
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation this person will join."})
    if role not in ORGANISATION_ROLES:
        organisation = None
    organisation_id = organisation.id if organisation else None
    if not access.may_invite(role, organisation_id=organisation_id):
        raise PermissionDenied("You may not invite people to that role.")
    already = Membership.objects.filter(
        tenant=tenant, user__email__iexact=email, role=role, organisation=organisation
    ).exists()
    if already:
        raise ValidationError({"email": f"{email} already has this role in this programme."})
    _expire_overdue(tenant=tenant, email=email)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                tenant=tenant,
                email=email,
                role=role,
                organisation=organisation,
                token_hash=hash_token(token),
                invited_by=actor,
                expires_at=timezone.now() + INVITATION_LIFETIME,
            )
    except IntegrityError:
        raise ValidationError(
            {"email": f"{email} already has a pending invitation to this role."}
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="invitation.created",
        obj=invitation,
        changes={"email": email, "role": role, "organisation": str(organisation_id or "")},
    )
    from tenancy.tasks import send_invitation_email

    send_invitation_email.delay_on_commit(str(tenant.id), str(invitation.id), token)
    return invitation, token


def _expire_overdue(*, tenant: Tenant, email: str) -> None:
    """Pending invitations past their expiry no longer block a new one."""
    Invitation.objects.filter(
        tenant=tenant, email=email, status=Invitation.Status.PENDING, expires_at__lt=timezone.now()
    ).update(status=Invitation.Status.REVOKED, updated_at=timezone.now())


def invitation_accept(*, tenant: Tenant, invitation: Invitation, user) -> Membership:
    """The invited person takes up the role. Refuses expired, used and mismatched invitations."""
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("This invitation has already been used or withdrawn.")
    if invitation.expires_at < timezone.now():
        raise ValidationError(
            "This invitation has expired. Ask the person who invited you to send a new one."
        )
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}. Sign in with that email address."
        )
    accepted = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.ACCEPTED,
        accepted_at=timezone.now(),
        accepted_by=user,
        updated_at=timezone.now(),
    )
    if not accepted:
        raise ValidationError("This invitation has already been used or withdrawn.")
    membership, _ = Membership.objects.get_or_create(
        tenant=tenant, user=user, role=invitation.role, organisation=invitation.organisation
    )
    if invitation.organisation is not None:
        from organisations.services import participation_ensure

        participation_ensure(tenant=tenant, organisation=invitation.organisation, actor=user)
    audit_record(
        tenant=tenant,
        actor=user,
        verb="membership.created",
        obj=membership,
        changes={"role": invitation.role, "via_invitation": str(invitation.id)},
    )
    return membership


def invitation_revoke(
    *, tenant: Tenant, actor, access: TenantAccess, invitation: Invitation
) -> None:
    if not access.may_invite(invitation.role, organisation_id=invitation.organisation_id):
        raise PermissionDenied("You may not withdraw this invitation.")
    revoked = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, updated_at=timezone.now()
    )
    if not revoked:
        raise ValidationError("Only a pending invitation can be withdrawn.")
    audit_record(tenant=tenant, actor=actor, verb="invitation.revoked", obj=invitation)


def membership_remove(
    *, tenant: Tenant, actor, access: TenantAccess, membership: Membership
) -> None:
    access.require(Perm.REMOVE_MEMBERSHIP)
    if membership.user_id == actor.pk and membership.role == Role.TENANT_ADMIN:
        raise ValidationError("You cannot remove your own tenant admin role.")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="membership.removed",
        obj=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


def membership_grant(
    *, tenant: Tenant, user, role: str, organisation=None, actor=None
) -> Membership:
    """Give a role directly (demo data, platform set-up). People normally join by invitation."""
    membership, created = Membership.objects.get_or_create(
        tenant=tenant, user=user, role=role, organisation=organisation
    )
    if created:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="membership.created",
            obj=membership,
            changes={"role": role},
        )
    return membership
