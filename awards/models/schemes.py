"""Award schemes: the lineage (`AwardScheme`) and its versions, each holding areas, levels,
criteria, the rubric, the pass rule, categories, application windows and service levels.

Applications point at the version they were made under, so copying a scheme to a new version
never changes an application already made. Areas, levels, criteria and categories carry a
stable `code` so a new version can follow them.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tenancy.models import TenantOwnedModel

# Cheshire and Merseyside's award (DOMAIN.md): the default areas of a new scheme.
DEFAULT_AREAS = [
    ("environmental", "Environmental"),
    ("social", "Social"),
    ("economic", "Economic"),
    ("innovation", "Innovation"),
]
DEFAULT_VALIDITY_YEARS = 5
DEFAULT_PASS_MARK = Decimal("80.00")
DEFAULT_DECISION_WORKING_DAYS = 7
DEFAULT_APPEAL_WORKING_DAYS = 10
DEFAULT_APPEAL_DECISION_WORKING_DAYS = 21


def default_reminder_months() -> list[int]:
    """Reminders before an award expires: 12, 6 and 1 months ahead."""
    return [12, 6, 1]


class AwardScheme(TenantOwnedModel):
    """An award a programme runs, e.g. "Social Value Award". Its text lives in versions."""

    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="award_scheme_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


class AreasRule(models.TextChoices):
    ALL = "all", "Applicants cover every area"
    CHOOSE = "choose", "Applicants choose their areas"


class SchemeVersion(TenantOwnedModel):
    scheme = models.ForeignKey(AwardScheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Shown to applicants.")
    areas_rule = models.CharField(
        max_length=10, choices=AreasRule.choices, default=AreasRule.CHOOSE
    )
    # The rubric: every criterion is scored on one scale, each score with its descriptor.
    rubric_min = models.PositiveSmallIntegerField("lowest score", default=0)
    rubric_max = models.PositiveSmallIntegerField("highest score", default=4)
    rubric_descriptors = models.JSONField(
        default=dict, blank=True, help_text='What each score means: {"0": "No evidence", …}.'
    )
    pass_mark_percent = models.DecimalField(
        "pass mark (% of the weighted maximum)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_PASS_MARK,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    decision_working_days = models.PositiveSmallIntegerField(
        "decision within (working days of submission)", default=DEFAULT_DECISION_WORKING_DAYS
    )
    appeal_working_days = models.PositiveSmallIntegerField(
        "appeal within (working days of the decision)", default=DEFAULT_APPEAL_WORKING_DAYS
    )
    appeal_decision_working_days = models.PositiveSmallIntegerField(
        "panel decides within (working days of the appeal)",
        default=DEFAULT_APPEAL_DECISION_WORKING_DAYS,
    )
    reminder_months = ArrayField(
        models.PositiveSmallIntegerField(),
        default=default_reminder_months,
        blank=True,
        help_text="Months before expiry when holders are reminded to renew.",
    )
    change_summary = models.TextField("what changed", blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scheme", "number"], name="scheme_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["tenant", "scheme"],
                condition=models.Q(status="open"),
                name="scheme_one_open_version",
            ),
            models.CheckConstraint(
                name="scheme_version_rubric_scale",
                condition=models.Q(rubric_max__gt=models.F("rubric_min")),
            ),
            models.CheckConstraint(
                name="scheme_version_pass_mark_range",
                condition=models.Q(pass_mark_percent__gte=0, pass_mark_percent__lte=100),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="scheme_version_status")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.number})"


class ApplicationWindow(TenantOwnedModel):
    """A round in which applications may be started and submitted. A version with no windows
    takes applications whenever it is open."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="windows")
    name = models.CharField(max_length=120, blank=True, help_text='e.g. "Spring 2024 round".')
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day applications can be submitted.")

    class Meta:
        ordering = ["opens_on"]
        constraints = [
            models.CheckConstraint(
                name="application_window_closes_after_opening",
                condition=models.Q(closes_on__gte=models.F("opens_on")),
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.opens_on} to {self.closes_on}"


class SchemeArea(TenantOwnedModel):
    """An area (theme) applicants make commitments in: environmental, social, economic…"""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="scheme_area_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SchemeLevel(TenantOwnedModel):
    """A level of the award (Bronze…Platinum, or SVQM Level 1…), with its own requirements."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=1, help_text="1 is the entry level.")
    requirements = models.TextField(blank=True, help_text="What this level asks, in words.")
    minimum_areas = models.PositiveSmallIntegerField(
        default=1, help_text="Areas an applicant must cover (when applicants choose)."
    )
    minimum_commitments = models.PositiveSmallIntegerField(default=0)
    kvis_per_commitment = models.PositiveSmallIntegerField(
        "KVIs each commitment must track", default=0
    )
    validity_years = models.PositiveSmallIntegerField(default=DEFAULT_VALIDITY_YEARS)
    tracking_months = models.PositiveSmallIntegerField(
        "tracking period (months)",
        null=True,
        blank=True,
        help_text="Level 1 style: months to track and report the KVIs (Wirral had 18).",
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="scheme_level_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(TenantOwnedModel):
    """A question applicants answer, for one area or all (area empty) and one level or all."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="criteria")
    area = models.ForeignKey(
        SchemeArea, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    level = models.ForeignKey(
        SchemeLevel, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    text = models.TextField("question")
    evidence_expected = models.TextField(blank=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(1))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="criterion_unique_code"
            ),
            models.CheckConstraint(
                name="criterion_weight_positive", condition=models.Q(weight__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class AwardCategory(TenantOwnedModel):
    """A category an award can be given in, e.g. "environment"."""

    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="award_category_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name
