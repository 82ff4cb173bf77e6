"""Board assurance reports: a report is a draft with its editable parts (cover sheet, summary,
narratives) and the choices that say what data it shows; each press of "Generate PDF" adds a
report version (a job row the browser polls, then the stored PDF with its content hash).
Schedules make new versions on their own (Celery beat) and email the board reporter a link.

Kinds: an organisation's social value report (a trust's board), the system report (the ICS
board or partnership) and the Anchor Assembly pack. reporting/ imports every domain app; none of
them imports reporting/ (DESIGN.md)."""

from django.conf import settings
from django.db import models

from tenancy.models import TenantOwnedModel

DEFAULT_ACTIONS = ["Approve", "Discuss", "Assure", "Note"]

# The NHS cover sheet of a board paper (the draft form shows these in this order).
COVER_SHEET_FIELDS = (
    "meeting",
    "meeting_date",
    "agenda_item",
    "enclosure",
    "lead_director",
    "authors",
    "action_required",
    "purpose",
    "executive_summary",
    "recommendation",
    "risks_and_opportunities",
    "board_assurance_framework",
    "quality_and_equality_impact",
    "financial_implications",
    "strategic_objectives",
    "report_history",
)
# What a person edits in the draft: what it is, when its figures run to, the cover sheet, the
# narrative per theme and the KVIs charted.


class ReportKind(models.TextChoices):
    ORGANISATION = "organisation", "Organisation social value report"
    SYSTEM = "system", "System report"
    ASSEMBLY = "assembly", "Anchor Assembly pack"


class ReportingSettings(TenantOwnedModel):
    """The tenant's choices for board papers: the "action required" vocabulary of cover sheets."""

    actions = models.JSONField(default=list, help_text="Action required choices, in order.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="reporting_settings_one_per_tenant")
        ]

    def action_choices(self) -> list[str]:
        return list(self.actions or DEFAULT_ACTIONS)


class Report(TenantOwnedModel):
    """A board paper being prepared: what it is about, its cover sheet and its narrative. The
    data it shows is read as it stood at the end of `data_freeze_date`, so regenerating it
    later reproduces the paper the board read."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation an organisation report is about.",
    )
    assembly = models.ForeignKey(
        "anchors.Assembly",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The assembly an Anchor Assembly pack is for.",
    )
    # What the figures stand for and when they were frozen.
    period_end = models.DateField(help_text="Figures run to this date (month 6: 30 September).")
    data_freeze_date = models.DateField(
        help_text="Figures entered or changed after this day do not appear in the report."
    )
    # Cover sheet.
    meeting = models.CharField(max_length=200, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    agenda_item = models.CharField(max_length=20, blank=True)
    enclosure = models.CharField(max_length=20, blank=True)
    lead_director = models.CharField(max_length=200, blank=True)
    authors = models.CharField(max_length=300, blank=True)
    action_required = models.CharField(max_length=40, blank=True)
    purpose = models.TextField(blank=True)
    executive_summary = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    risks_and_opportunities = models.TextField(blank=True)
    board_assurance_framework = models.TextField(
        blank=True, help_text="Board Assurance Framework risks this paper links to."
    )
    quality_and_equality_impact = models.TextField(blank=True)
    financial_implications = models.TextField(blank=True)
    strategic_objectives = models.TextField(blank=True)
    report_history = models.TextField(blank=True)
    # Narrative per theme: {"<theme name>": "<text>"}; KVIs charted: ["<kvi uuid>", ...].
    narratives = models.JSONField(default=dict, blank=True)
    chart_kvi_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "kind", "organisation"])]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being produced"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ReportVersion(TenantOwnedModel):
    """One generation of a report's PDF, and the job row the browser polls while it runs.

    The PDF is stored under a key derived from this row's id (reporting.tasks.pdf_key): every
    run of the task for one version writes to that one place, so a retried or duplicated task
    never leaves two files for one request. `inputs_sha256` is the hash of what the PDF was built
    from (reporting.content.report_inputs: the report's fields and the frozen data)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    progress_message = models.CharField(max_length=200, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    storage_key = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    inputs_sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule = models.ForeignKey(
        "reporting.ReportSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="versions",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "report", "number"], name="report_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} – version {self.number}"


class ScheduleFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    BEFORE_MEETINGS = "before_meetings", "Before set meeting dates"


class ReportSchedule(TenantOwnedModel):
    """Generate a report on a timetable and email the board reporter a link to the new PDF.
    Monthly and quarterly runs fall on `day_of_month` (quarterly in January, April, July and
    October); meeting runs fall `days_before` each date in `meeting_dates`."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(max_length=20, choices=ScheduleFrequency.choices)
    day_of_month = models.PositiveSmallIntegerField(default=1)
    meeting_dates = models.JSONField(default=list, blank=True)  # ["2026-01-15", ...]
    days_before = models.PositiveSmallIntegerField(default=7)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The board reporter emailed a link to each new PDF.",
    )
    next_run_on = models.DateField()
    last_run_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["next_run_on"]
        indexes = [models.Index(fields=["tenant", "is_active", "next_run_on"])]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_frequency_display()}"
