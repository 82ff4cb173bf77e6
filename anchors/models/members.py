"""Priorities under the pillars, members' commitments and profiles, and the pillar metrics."""

from django.db import models

from organisations.models import Sector
from tenancy.models import TenantOwnedModel


class PriorityKind(models.TextChoices):
    PRINCIPLE = "principle", "Principle"
    PRIORITY = "priority", "Priority"


class Priority(TenantOwnedModel):
    """A principle or priority under a pillar (a theme of the anchor charter's version). The
    `code` is stable across versions: anchors.services.priorities_copy carries it forward."""

    version = models.ForeignKey(
        "charters.CharterVersion", on_delete=models.CASCADE, related_name="anchor_priorities"
    )
    pillar = models.ForeignKey(
        "charters.Theme", on_delete=models.CASCADE, related_name="anchor_priorities"
    )
    code = models.SlugField(max_length=60, help_text="Stable across versions.")
    text = models.CharField(max_length=300)
    kind = models.CharField(
        max_length=20, choices=PriorityKind.choices, default=PriorityKind.PRIORITY
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pillar__position", "position", "text"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "code"], name="anchor_priority_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.text


class MemberPriority(TenantOwnedModel):
    """A member (signatory of an anchor charter) commits to a priority."""

    signatory = models.ForeignKey(
        "charters.Signatory", on_delete=models.CASCADE, related_name="anchor_priorities"
    )
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="commitments")

    class Meta:
        ordering = ["priority__pillar__position", "priority__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "signatory", "priority"], name="anchor_memberpriority_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signatory_id}: {self.priority}"


class Disclosure(models.TextChoices):
    NAMED = "named", "Named: other members see our figures under our name"
    ANONYMISED = "anonymised", "Anonymised: other members see our figures under a label"


def anonymised_label(number: int) -> str:
    """1 -> "Member A", 26 -> "Member Z", 27 -> "Member AA" (spreadsheet column letters)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"Member {letters}"


class MemberProfile(TenantOwnedModel):
    """What a member chooses about itself: whether others see its figures named or anonymised,
    and its sector for benchmarking when the organisation type's sector does not fit. The
    anonymised number is given once and never changes, unique in the tenant, so "Member C" is
    the same member in every round, page, export and API answer."""

    signatory = models.OneToOneField(
        "charters.Signatory", on_delete=models.CASCADE, related_name="anchor_profile"
    )
    disclosure = models.CharField(
        max_length=20, choices=Disclosure.choices, default=Disclosure.NAMED
    )
    sector_override = models.CharField(
        max_length=20,
        choices=Sector.choices,
        blank=True,
        help_text="Blank: the sector of the organisation's type.",
    )
    anonymised_number = models.PositiveIntegerField()

    class Meta:
        ordering = ["anonymised_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "anonymised_number"], name="anchor_profile_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.anonymised_label

    @property
    def anonymised_label(self) -> str:
        return anonymised_label(self.anonymised_number)


class PillarMetric(TenantOwnedModel):
    """One metric of the evidence framework: what members report under a pillar, a KVI engine
    metric. `unit` is the unit a figure must be given in. `in_collective_total`: the charter's
    collective impact adds members' figures up (never for a percentage)."""

    charter = models.ForeignKey(
        "charters.Charter", on_delete=models.CASCADE, related_name="anchor_metrics"
    )
    pillar_code = models.SlugField(max_length=60)
    metric = models.ForeignKey("kvi.Metric", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=10)
    in_collective_total = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "metric"], name="anchor_pillarmetric_unique_metric"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pillar_code}: {self.metric_id}"
