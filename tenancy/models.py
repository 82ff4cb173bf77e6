"""Tenants, the base of every tenant-owned table, memberships (roles), invitations and audit.

A tenant is a system or partnership running a social value programme. `Tenant` itself is a shared
table; everything a tenant writes inherits `TenantOwnedModel` and is guarded by PostgreSQL
row-level security (see tenancy/rls.py and docs/adr/0001-tenancy-and-rls.md).
"""

import uuid

from django.conf import settings
from django.db import models


class Tenant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in web addresses.")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    description = models.TextField(blank=True, help_text="Shown on the tenant's public pages.")
    host_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_tenants",
        help_text="The body hosting the programme, usually an ICB. The tenant outlives it.",
    )
    require_mfa_for_all = models.BooleanField(
        "require two-factor authentication of every member", default=False
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantOwnedModel(models.Model):
    """Abstract base of every tenant-owned table: UUID key, tenant, timestamps.

    Each concrete subclass's migration must add `tenancy.rls.EnableRowLevelSecurity` for it;
    tests/test_rls.py fails for any table with a tenant_id column but no policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    TENANT_ADMIN = "tenant_admin", "Tenant admin"
    ASSESSOR = "assessor", "Assessor"
    BOARD_REPORTER = "board_reporter", "Board reporter"
    ORGANISATION_ADMIN = "organisation_admin", "Organisation admin"
    ORGANISATION_MEMBER = "organisation_member", "Organisation member"


ORGANISATION_ROLES = frozenset({Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER})
# Roles whose holders must use two-factor authentication, whatever the tenant's setting.
MFA_REQUIRED_ROLES = frozenset({Role.TENANT_ADMIN, Role.ASSESSOR})


class Membership(TenantOwnedModel):
    """A person's role in a tenant; organisation roles name the organisation too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "role", "organisation"],
                name="membership_unique_role",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                name="membership_organisation_matches_role",
                condition=(
                    models.Q(
                        role__in=[Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER],
                        organisation__isnull=False,
                    )
                    | (
                        ~models.Q(role__in=[Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER])
                        & models.Q(organisation__isnull=True)
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="membership_tenant_user")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Invitation(TenantOwnedModel):
    """An emailed invitation to take a role in a tenant. The token is stored only as a hash."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField()
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email", "role", "organisation"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_role",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="invitation_tenant_status")]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"


class AuditEvent(TenantOwnedModel):
    """A business event written by a service: who did what to which record, and what changed."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object")
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type} {self.object_id}"


class PlatformReadEvent(models.Model):
    """Every opening of the cross-tenant (platform-wide) read path. Shared table, append-only."""

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.actor} read across tenants: {self.reason}"
