"""The Anchor Assembly: meetings of members' senior representatives, who attended, and the
actions agreed (open actions are followed up at the next assembly)."""

from django.db import models

from tenancy.models import TenantOwnedModel


class Assembly(TenantOwnedModel):
    charter = models.ForeignKey(
        "charters.Charter", on_delete=models.CASCADE, related_name="anchor_assemblies"
    )
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    round = models.ForeignKey(
        "anchors.ReportingRound",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assemblies",
        help_text="The reporting round whose accepted returns it reviews.",
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name_plural = "assemblies"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "charter", "held_on"], name="anchor_assembly_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class AssemblyAttendee(TenantOwnedModel):
    """Someone at an assembly: for a member (a signatory) or a guest (no signatory)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="attendees")
    signatory = models.ForeignKey(
        "charters.Signatory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class AssemblyAction(TenantOwnedModel):
    """An action agreed at an assembly, owned by a member or a named person. While open it is
    carried to every later assembly (anchors.selectors.assembly_carried_actions)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    owner_signatory = models.ForeignKey(
        "charters.Signatory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="anchor_action_has_owner",
                condition=~models.Q(owner_signatory__isnull=True, owner_name=""),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
