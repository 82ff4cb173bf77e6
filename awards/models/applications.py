"""Applications: an organisation's case for a level of an award scheme version, with answers,
commitments (tracked by KVIs), evidence files and the history of its states."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from awards.models.schemes import AwardScheme, Criterion, SchemeArea, SchemeLevel, SchemeVersion
from tenancy.models import TenantOwnedModel


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_ASSESSMENT = "in_assessment", "In assessment"
    MORE_INFORMATION_REQUESTED = "more_information_requested", "More information requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    AWARDED = "awarded", "Awarded"
    NOT_AWARDED = "not_awarded", "Not awarded"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationStatus
# Applications not yet decided or withdrawn: an organisation has at most one per scheme.
LIVE_STATUSES = (S.DRAFT, S.SUBMITTED, S.IN_ASSESSMENT, S.MORE_INFORMATION_REQUESTED, S.RESUBMITTED)
# The applicant may change answers, commitments and evidence.
EDITABLE_STATUSES = (S.DRAFT, S.MORE_INFORMATION_REQUESTED)
# Assessors may score.
ASSESSABLE_STATUSES = (S.IN_ASSESSMENT, S.RESUBMITTED)


class Application(TenantOwnedModel):
    scheme = models.ForeignKey(AwardScheme, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="applications"
    )
    level = models.ForeignKey(SchemeLevel, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="award_applications"
    )
    status = models.CharField(max_length=30, choices=ApplicationStatus.choices, default=S.DRAFT)
    area_codes = ArrayField(
        models.SlugField(max_length=60),
        default=list,
        blank=True,
        help_text="The areas the applicant covers (codes of the version's areas).",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    renewal_of = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decision_due = models.DateField(
        null=True, blank=True, help_text="The scheme's service level, in working days."
    )
    information_requested = models.TextField(
        blank=True, help_text="What the programme team last asked the applicant for."
    )
    tracking_starts_on = models.DateField(
        null=True, blank=True, help_text="Level 1 style: when the KVI tracking period began."
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scheme", "organisation"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="application_one_live_per_scheme",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="application_tenant_status"),
            models.Index(fields=["tenant", "organisation"], name="application_tenant_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.level} ({self.get_status_display()})"


class ApplicationAnswer(TenantOwnedModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "application", "criterion"], name="answer_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"Answer to {self.criterion.code}"


class Commitment(TenantOwnedModel):
    """What the organisation commits to in one area, in its own words."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="commitments"
    )
    area = models.ForeignKey(SchemeArea, on_delete=models.PROTECT, related_name="commitments")
    text = models.TextField("commitment")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class CommitmentKvi(TenantOwnedModel):
    """A KVI (kvi.Kvi, of the applicant organisation) that tracks a commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="kvi_links")
    kvi = models.ForeignKey("kvi.Kvi", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kvi__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "commitment", "kvi"], name="commitment_kvi_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment} ← {self.kvi_id}"


class EvidenceFile(TenantOwnedModel):
    """A file stored privately (uploads.storage). Replacing a file keeps the old one, no
    longer current, in the history: `replaces` points back at it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evidence_files"
    )
    criterion = models.ForeignKey(
        Criterion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_files",
        help_text="The question it evidences, when there is one.",
    )
    description = models.CharField(max_length=300, blank=True)
    storage_key = models.CharField(max_length=300)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "replaces"],
                condition=models.Q(replaces__isnull=False),
                name="evidence_replaced_once",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "application", "is_current"], name="evidence_current")
        ]

    def __str__(self) -> str:
        return self.file_name


class ApplicationEvent(TenantOwnedModel):
    """One move of an application from one state to another: who, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=30, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["tenant", "application", "created_at"], name="application_event")
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"
