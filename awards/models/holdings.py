"""Awards held: level, dates, categories, the certificate and its verification code."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from awards.models.applications import Application
from awards.models.schemes import AwardScheme, SchemeLevel, SchemeVersion
from tenancy.models import TenantOwnedModel


class CertificateStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be produced"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be produced"


class Award(TenantOwnedModel):
    """An award an organisation holds. It is current from `awarded_on` up to and including
    `expires_on` unless revoked. The verification code is unique across the platform, so a
    code read off any certificate identifies one award."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="awards"
    )
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="awards")
    scheme = models.ForeignKey(AwardScheme, on_delete=models.PROTECT, related_name="awards")
    version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="awards")
    level = models.ForeignKey(SchemeLevel, on_delete=models.PROTECT, related_name="awards")
    awarded_on = models.DateField()
    expires_on = models.DateField()
    category_codes = ArrayField(models.SlugField(max_length=60), default=list, blank=True)
    verification_code = models.CharField(max_length=12)
    certificate_status = models.CharField(
        max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.PENDING
    )
    certificate_key = models.CharField(max_length=300, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_produced_at = models.DateTimeField(null=True, blank=True)
    reminded_months = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        help_text="Expiry reminders already sent (months before expiry).",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-awarded_on"]
        constraints = [
            # Platform-wide on purpose: a code identifies one award whichever programme issued it.
            models.UniqueConstraint(
                fields=["verification_code"], name="award_unique_verification_code"
            ),
            models.UniqueConstraint(
                fields=["tenant", "application"], name="award_one_per_application"
            ),
            models.CheckConstraint(
                name="award_expires_after_awarded",
                condition=models.Q(expires_on__gt=models.F("awarded_on")),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "organisation"], name="award_tenant_organisation"),
            models.Index(fields=["tenant", "expires_on"], name="award_tenant_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.level} ({self.awarded_on})"
