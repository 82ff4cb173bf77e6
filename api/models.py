"""Partner API keys: tenant-bound, scoped, shown once, stored as an HMAC of the secret."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenancy.models import TenantOwnedModel


class ApiKey(TenantOwnedModel):
    """A key a tenant admin gave a named partner.

    The key reads `svp_<prefix>_<secret>`: the prefix finds the row, the secret is checked
    against `secret_hash` (HMAC-SHA256) in constant time.
    """

    partner_name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=40), default=list)
    organisation_ids = ArrayField(
        models.UUIDField(),
        default=list,
        blank=True,
        help_text="When set, the key sees only these organisations.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "revoked_at"], name="apikey_tenant_revoked")]

    def __str__(self) -> str:
        return f"{self.partner_name} ({self.prefix})"
