"""KVI engine models. So far: the postcode directory (shared reference data), each tenant's local
area, and spend-ledger imports (local spend from a supply-chain ledger).

The postcode directory is loaded once per ONS release by a platform admin (kvi/postcodes.py) and
is shared by every tenant: it has no tenant_id and no row-level security. Local areas and ledger
imports are tenant-owned and guarded by row-level security like every tenant table.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenancy.models import TenantOwnedModel


class DeprivationEdition(models.TextChoices):
    IOD2019 = "IoD2019", "English Indices of Deprivation 2019"
    IOD2025 = "IoD2025", "English Indices of Deprivation 2025"


# How many small areas (LSOAs) each English edition ranks: decile = ceil(rank * 10 / N).
DEPRIVATION_AREAS: dict[str, int] = {
    DeprivationEdition.IOD2019: 32_844,
    DeprivationEdition.IOD2025: 33_755,
}


class PostcodeRelease(models.Model):
    """One loaded release of the ONS postcode lookup (ONSPD or NSPL), with the columns used."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=100, unique=True, help_text='e.g. "ONSPD November 2025".')
    source_file = models.CharField(max_length=255)
    loaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    postcode_column = models.CharField(max_length=30)
    district_column = models.CharField(max_length=30)
    deprivation_column = models.CharField(max_length=30, blank=True)
    deprivation_edition = models.CharField(
        max_length=10, choices=DeprivationEdition.choices, blank=True
    )
    deprivation_areas = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of areas the edition ranks (32,844 or 33,755)."
    )

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.name


class Postcode(models.Model):
    """A postcode of one release: compact upper-case form ("CH412AB"), with its geography.

    Terminated postcodes keep their geography, so historic ledgers still resolve.
    """

    pk = models.CompositePrimaryKey("release", "postcode")
    # The primary key (release, postcode) is the lookup index; no second index on release.
    release = models.ForeignKey(
        PostcodeRelease, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    postcode = models.CharField(max_length=8)
    district = models.CharField("local authority district code", max_length=9)
    imd_rank = models.PositiveIntegerField(null=True, blank=True)
    terminated = models.BooleanField(default=False)
    lsoa = models.CharField(max_length=9, blank=True)
    icb = models.CharField(max_length=9, blank=True)

    def __str__(self) -> str:
        return self.postcode


class LocalArea(TenantOwnedModel):
    """A tenant's local area: a set of local authority districts (ONS LAD codes)."""

    name = models.CharField(max_length=100)
    district_codes = ArrayField(models.CharField(max_length=9))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="localarea_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class LedgerStatus(models.TextChoices):
    REFUSED = "refused", "Refused"
    IMPORTED = "imported", "Imported"


class SpendLedgerImport(TenantOwnedModel):
    """One uploaded supply-chain spend ledger and what it gave.

    Supplier rows are not stored. `results` holds aggregates only (safe to report beyond the
    organisation); `row_notes` lists the ledger rows the organisation should look at (unresolved
    and terminated postcodes, by row number) and stays with the organisation; `errors` lists why
    a refused file was refused.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=LedgerStatus.choices)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    release = models.ForeignKey(PostcodeRelease, on_delete=models.PROTECT, related_name="+")
    local_area = models.ForeignKey(LocalArea, on_delete=models.PROTECT, related_name="+")
    results = models.JSONField(default=dict, blank=True)
    row_notes = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "organisation", "file_sha256"], name="spendledger_unique_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
