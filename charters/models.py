"""Social Value Charters: versioned charters, co-production, tiers, signatories and pledges.

A `Charter` is the lineage; each `CharterVersion` holds the text. Principles and themes belong
to a version and carry a stable `code`, so pledges and engagement records can follow them from
one version to the next.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenancy.models import TenantOwnedModel

# The Social Value Quality Mark health award's themes (DOMAIN.md): the default themes.
SVQM_HEALTH_THEMES = [
    ("health-and-wellbeing", "Health and wellbeing"),
    ("education-and-skills", "Education and skills"),
    ("employment-and-volunteering", "Employment and volunteering"),
    ("social-and-community", "Social and community"),
    ("economic", "Economic"),
    ("environmental", "Environmental"),
    ("leadership", "Leadership"),
]
COMMITMENTS_INTRO = "In order to meet these ambitions, we will ..."
# An Anchor Institution Charter's five pillars (DOMAIN.md): its themes by default.
ANCHOR_PILLARS = [
    ("purchasing", "Purchasing locally and for social benefit"),
    ("buildings", "Using buildings and spaces to support communities"),
    ("workforce", "Widening access to quality work"),
    ("partners", "Working more closely with local partners"),
    ("environment", "Reducing environmental impact"),
]


class CharterKind(models.TextChoices):
    SOCIAL_VALUE = "social_value", "Social Value Charter"
    ANCHOR = "anchor", "Anchor Institution Charter"


class Charter(TenantOwnedModel):
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=CharterKind.choices, default=CharterKind.SOCIAL_VALUE
    )
    has_tiers = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="charter_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "In consultation"
    ENDORSED = "endorsed", "Endorsed"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class CharterVersion(TenantOwnedModel):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(max_length=200)
    definition = models.TextField(
        "what social value means here",
        blank=True,
        help_text="The shared definition of social value.",
    )
    ambition_social = models.TextField("social ambitions", blank=True)
    ambition_economic = models.TextField("economic ambitions", blank=True)
    ambition_environmental = models.TextField("environmental ambitions", blank=True)
    commitments_intro = models.CharField(max_length=200, default=COMMITMENTS_INTRO)
    commitments = models.TextField(blank=True, help_text="One commitment per line.")
    change_summary = models.TextField(
        "what changed", blank=True, help_text="For a new version: what changed and why."
    )
    endorsing_body = models.CharField(max_length=200, blank=True)
    endorsed_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["charter", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "number"], name="charter_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["tenant", "charter"],
                condition=models.Q(status="published"),
                name="charter_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @property
    def commitment_lines(self) -> list[str]:
        return [line.strip() for line in self.commitments.splitlines() if line.strip()]


class VersionTransition(TenantOwnedModel):
    """Each move of a version through its states: who, when, and the endorsement."""

    version = models.ForeignKey(
        CharterVersion, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=VersionStatus.choices)
    to_status = models.CharField(max_length=20, choices=VersionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    endorsing_body = models.CharField(max_length=200, blank=True)
    endorsed_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status} → {self.to_status}"


class Principle(TenantOwnedModel):
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="principles")
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="principle_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Theme(TenantOwnedModel):
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "code"], name="theme_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class CharterLink(TenantOwnedModel):
    """A related charter: another charter of the tenant, or one elsewhere (by address)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=200)
    related_charter = models.ForeignKey(
        Charter, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Tier(TenantOwnedModel):
    """A level of commitment (Supporter → Member → Advocate). A charter without tiers has one."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=1, help_text="1 is the entry tier.")
    requires_panel = models.BooleanField(
        default=False, help_text="Moving up to this tier goes to an assessment panel first."
    )
    review_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="Ask holders of this tier to review their pledges."
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "position"], name="tier_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EngagementKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    COMMUNITY_CONVERSATION = "community_conversation", "Community conversation"
    SURVEY = "survey", "Survey"
    WORKING_GROUP = "working_group", "Working group"


class EngagementActivity(TenantOwnedModel):
    """Co-production: who was engaged, how many, what was heard, and what it shaped."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="engagements")
    held_on = models.DateField()
    kind = models.CharField(max_length=30, choices=EngagementKind.choices)
    audience = models.CharField(
        max_length=200, help_text="Who took part, e.g. 'residents of Halton'."
    )
    people_count = models.PositiveIntegerField("number of people")
    heard = models.TextField("what was heard")
    principle_codes = ArrayField(models.SlugField(max_length=60), default=list, blank=True)
    theme_codes = ArrayField(models.SlugField(max_length=60), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.audience} ({self.held_on})"


class SignatoryStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SIGNED = "signed", "Signed"
    RECONFIRM = "reconfirm", "Asked to re-confirm"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Signatories who appear on the public register.
ON_REGISTER = (SignatoryStatus.SIGNED, SignatoryStatus.RECONFIRM)
# Signatories with a live signature or application: the organisation cannot sign again.
ACTIVE_SIGNATORY = (
    SignatoryStatus.PENDING,
    SignatoryStatus.CHANGES_REQUESTED,
    SignatoryStatus.SIGNED,
    SignatoryStatus.RECONFIRM,
)


class Signatory(TenantOwnedModel):
    """An organisation's signature of a charter (one per organisation and charter)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="signatories")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="charter_signatures"
    )
    version = models.ForeignKey(
        CharterVersion,
        on_delete=models.PROTECT,
        related_name="signatories",
        help_text="The version signed or last re-confirmed.",
    )
    status = models.CharField(max_length=20, choices=SignatoryStatus.choices)
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signers = models.JSONField(default=list, help_text='[{"name": …, "role": …}]')
    signed_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    approved_on = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    review_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "organisation"], name="signatory_one_per_organisation"
            )
        ]
        indexes = [models.Index(fields=["tenant", "charter", "status"], name="signatory_register")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.charter}"

    @property
    def signer_names(self) -> str:
        return ", ".join(f"{s['name']} ({s['role']})" for s in self.signers)


class Pledge(TenantOwnedModel):
    """What an organisation pledges, in its own words, under a principle or a theme."""

    signatory = models.ForeignKey(Signatory, on_delete=models.CASCADE, related_name="pledges")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="+")
    principle = models.ForeignKey(
        Principle, null=True, blank=True, on_delete=models.PROTECT, related_name="pledges"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="pledges"
    )
    text = models.TextField("pledge")
    target = models.CharField(
        "measurable target",
        max_length=300,
        blank=True,
        help_text="Optional, e.g. '18% of supply-chain spend with local firms by 2022/23'.",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                name="pledge_under_principle_or_theme",
                condition=models.Q(principle__isnull=False, theme__isnull=True)
                | models.Q(principle__isnull=True, theme__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def heading(self) -> str:
        if self.principle is not None:
            return self.principle.title
        return self.theme.name if self.theme is not None else ""


class TierApplication(TenantOwnedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        AT_PANEL = "at_panel", "With the assessment panel"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    signatory = models.ForeignKey(
        Signatory, on_delete=models.CASCADE, related_name="tier_applications"
    )
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    case = models.TextField("why the organisation is ready")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    panel_notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.signatory.organisation}: {self.from_tier} → {self.to_tier}"
