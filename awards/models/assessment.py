"""Assessment: assessors assigned to an application, their conflict declarations and scores,
the decision with its feedback letter, appeals and their panels."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from awards.models.applications import Application
from awards.models.schemes import Criterion
from tenancy.models import TenantOwnedModel


class Conflict(models.TextChoices):
    UNDECLARED = "undeclared", "Not yet declared"
    NONE = "none", "No conflict of interest"
    CONFLICTED = "conflicted", "Conflict of interest"


class AssessorAssignment(TenantOwnedModel):
    """An assessor asked to score one application. Until they declare no conflict they see only
    who applied and for what; a conflicted assessor sees nothing of it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="award_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflict = models.CharField(
        max_length=20, choices=Conflict.choices, default=Conflict.UNDECLARED
    )
    conflict_note = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "application", "assessor"], name="assignment_one_per_assessor"
            )
        ]
        indexes = [models.Index(fields=["tenant", "assessor"], name="assignment_tenant_assessor")]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.application_id}"


class Score(TenantOwnedModel):
    """One assessor's score of one criterion. `comment` may reach the applicant in the feedback
    letter; `private_note` never does."""

    assignment = models.ForeignKey(
        AssessorAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField("comment for the applicant", blank=True)
    private_note = models.TextField("private note", blank=True)

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "assignment", "criterion"], name="score_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.score}"


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", "Awarded"
    NOT_AWARDED = "not_awarded", "Not awarded"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent to the applicant"


class Decision(TenantOwnedModel):
    """The tenant admin's decision: drafted from the scores (with a feedback letter the admin
    may edit), then sent. One per application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    score_percent = models.DecimalField(max_digits=5, decimal_places=2)
    pass_mark_percent = models.DecimalField(max_digits=5, decimal_places=2)
    meets_pass_mark = models.BooleanField()
    override_reason = models.TextField(
        blank=True, help_text="Why the outcome differs from the pass rule."
    )
    category_codes = ArrayField(models.SlugField(max_length=60), default=list, blank=True)
    feedback_letter = models.TextField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "application"], name="decision_one_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.score_percent}%)"


class AppealStatus(models.TextChoices):
    LODGED = "lodged", "Waiting for the panel"
    DECIDED = "decided", "Decided"


class AppealOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed: the award is made"
    DISMISSED = "dismissed", "Dismissed: the decision stands"


class Appeal(TenantOwnedModel):
    """An unsuccessful applicant's appeal, lodged within the scheme's working days of the
    decision being sent, decided by a panel not involved in the assessment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="appeals")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    reasons = models.TextField()
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lodged_on = models.DateField()
    lodge_deadline = models.DateField(help_text="The last working day an appeal was allowed.")
    decision_due = models.DateField(help_text="The panel's deadline, in working days.")
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.LODGED
    )
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    panel_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-lodged_on"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "decision"], name="appeal_one_per_decision")
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="appeal_tenant_status")]

    def __str__(self) -> str:
        return f"Appeal on {self.application_id} ({self.get_status_display()})"


class AppealPanelMember(TenantOwnedModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="panel")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "appeal", "member"], name="appeal_panel_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.appeal_id}"
