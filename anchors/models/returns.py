"""Reporting rounds and members' returns: figures, queries on figures, narratives, files."""

from django.conf import settings
from django.db import models

from tenancy.models import TenantOwnedModel


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportingRound(TenantOwnedModel):
    """A reporting round of an anchor charter (half-yearly by default): the period it covers,
    when it opens to members and when returns are due."""

    charter = models.ForeignKey(
        "charters.Charter", on_delete=models.CASCADE, related_name="anchor_rounds"
    )
    name = models.CharField(max_length=60, help_text='e.g. "2023/24 H1".')
    period_start = models.DateField()
    period_end = models.DateField()
    opens_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["charter", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "name"], name="anchor_round_unique_name"
            ),
            models.UniqueConstraint(
                fields=["tenant", "charter", "period_start"], name="anchor_round_unique_period"
            ),
            models.CheckConstraint(
                name="anchor_round_period_order",
                condition=models.Q(period_start__lte=models.F("period_end")),
            ),
            models.CheckConstraint(
                name="anchor_round_due_after_open",
                condition=models.Q(opens_on__lte=models.F("due_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    QUERIED = "queried", "Queried"
    ACCEPTED = "accepted", "Accepted"


# A return the member has not yet sent: reminders go to these.
OUTSTANDING = (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT)


class MemberReturn(TenantOwnedModel):
    """One member's return for one round. `submitted_late`: first submitted after the due date
    (accepted, but flagged)."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="returns")
    signatory = models.ForeignKey(
        "charters.Signatory", on_delete=models.PROTECT, related_name="anchor_returns"
    )
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_late = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["round", "signatory__organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "round", "signatory"], name="anchor_return_one_per_round"
            )
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="anchor_return_status")]

    def __str__(self) -> str:
        return f"{self.round}: {self.signatory_id}"


class FigureSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported"
    KVI = "kvi", "Taken from a KVI"


class ReturnFigure(TenantOwnedModel):
    """A member's figure for one pillar metric in one return, in the metric's unit."""

    member_return = models.ForeignKey(
        MemberReturn, on_delete=models.CASCADE, related_name="figures"
    )
    pillar_metric = models.ForeignKey(
        "anchors.PillarMetric", on_delete=models.PROTECT, related_name="figures"
    )
    value = models.DecimalField(max_digits=20, decimal_places=6)
    unit = models.CharField(max_length=10)
    source = models.CharField(
        max_length=20, choices=FigureSource.choices, default=FigureSource.ENTERED
    )
    measurement = models.ForeignKey(
        "kvi.Measurement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The KVI measurement the figure was taken from.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pillar_metric__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member_return", "pillar_metric"],
                name="anchor_figure_one_per_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


class FigureQuery(TenantOwnedModel):
    """The programme team's question about one figure, and the member's answer (with the
    corrected figure when it changed)."""

    figure = models.ForeignKey(ReturnFigure, on_delete=models.CASCADE, related_name="queries")
    text = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    old_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]
        verbose_name_plural = "figure queries"

    def __str__(self) -> str:
        return self.text[:60]


class PillarNarrative(TenantOwnedModel):
    """What the member says about its progress under one pillar in a return."""

    member_return = models.ForeignKey(
        MemberReturn, on_delete=models.CASCADE, related_name="narratives"
    )
    pillar_code = models.SlugField(max_length=60)
    text = models.TextField()

    class Meta:
        ordering = ["pillar_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member_return", "pillar_code"],
                name="anchor_narrative_one_per_pillar",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pillar_code}: {self.text[:40]}"


class ReturnEvidence(TenantOwnedModel):
    """A file backing a return, stored privately under a random key (uploads.storage)."""

    member_return = models.ForeignKey(
        MemberReturn, on_delete=models.CASCADE, related_name="evidence"
    )
    pillar_code = models.SlugField(max_length=60, blank=True)
    description = models.CharField(max_length=300, blank=True)
    storage_key = models.CharField(max_length=300, unique=True)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "return evidence"

    def __str__(self) -> str:
        return self.file_name
