"""The organisation directory (shared) and each tenant's participants (tenant-owned)."""

import uuid

from django.db import models

from tenancy.models import TenantOwnedModel


class OrganisationType(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    ICB = "icb", "Integrated care board"
    PRIMARY_CARE = "primary_care", "Primary care"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VCSE = "vcse", "Voluntary, community or social enterprise"
    BUSINESS = "business", "Business"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class SizeBand(models.TextChoices):
    MICRO = "micro", "Micro (fewer than 10 staff)"
    SMALL = "small", "Small (10 to 49 staff)"
    MEDIUM = "medium", "Medium (50 to 249 staff)"
    LARGE = "large", "Large (250 staff or more)"


class Organisation(models.Model):
    """One record per real organisation, which may take part in several tenants.

    Shared across tenants (no tenant_id): a tenant's relationship with it is a Participation.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    organisation_type = models.CharField("type", max_length=30, choices=OrganisationType.choices)
    size_band = models.CharField(max_length=20, choices=SizeBand.choices, blank=True)
    registered_postcode = models.CharField(max_length=10, blank=True)
    ods_code = models.CharField("NHS ODS code", max_length=10, blank=True)
    companies_house_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField("Charity Commission number", max_length=12, blank=True)
    website = models.URLField(blank=True)
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~models.Q(ods_code=""),
                name="organisation_unique_ods",
            ),
            models.UniqueConstraint(
                fields=["companies_house_number"],
                condition=~models.Q(companies_house_number=""),
                name="organisation_unique_companies_house",
            ),
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~models.Q(charity_number=""),
                name="organisation_unique_charity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sector(self) -> str:
        return sector_of(self.organisation_type)

    @property
    def org_ids(self) -> list[str]:
        """org-id.guide identifiers (GB-COH, GB-CHC); the NHS ODS code is its own field."""
        ids = []
        if self.companies_house_number:
            ids.append(f"GB-COH-{self.companies_house_number}")
        if self.charity_number:
            ids.append(f"GB-CHC-{self.charity_number}")
        return ids

    @property
    def postcode_district(self) -> str:
        """The outward code ("CH41" of "CH41 2AB"), used as the place filter."""
        return self.registered_postcode.split(" ")[0] if self.registered_postcode else ""


class Participation(TenantOwnedModel):
    """An organisation taking part in a tenant's programme."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "organisation"], name="participation_unique_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.tenant_id}"


class Sector(models.TextChoices):
    """The broad sector an organisation type belongs to (public registers filter by it)."""

    NHS = "nhs", "NHS"
    PUBLIC = "public", "Other public sector"
    VOLUNTARY = "voluntary", "Voluntary and community"
    PRIVATE = "private", "Private"
    OTHER = "other", "Other"


SECTOR_TYPES: dict[str, list[str]] = {
    Sector.NHS: [OrganisationType.NHS_TRUST, OrganisationType.ICB, OrganisationType.PRIMARY_CARE],
    Sector.PUBLIC: [OrganisationType.LOCAL_AUTHORITY, OrganisationType.EDUCATION],
    Sector.VOLUNTARY: [OrganisationType.VCSE],
    Sector.PRIVATE: [OrganisationType.BUSINESS],
    Sector.OTHER: [OrganisationType.HOUSING, OrganisationType.OTHER],
}


def sector_of(organisation_type: str) -> str:
    return next(sector for sector, types in SECTOR_TYPES.items() if organisation_type in types)
