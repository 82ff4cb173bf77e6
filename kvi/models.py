"""KVI engine models: the postcode directory (shared reference data), each tenant's local area,
spend-ledger imports (local spend from a supply-chain ledger), social value frameworks (themes,
sub-themes, metrics, crosswalks), KVIs, their measurements and the revisions of measurements.

The postcode directory is loaded once per ONS release by a platform admin (kvi/postcodes.py) and
is shared by every tenant: it has no tenant_id and no row-level security. Local areas and ledger
imports are tenant-owned and guarded by row-level security like every tenant table.
"""

from typing import Any

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
    # The local population's make-up, to compare a workforce with: {"ethnicity": {"White":
    # "93.1", ...}, "disability": {...}, "imd_quintile": {"1": "32.4", ...}} (percentages).
    population = models.JSONField(default=dict, blank=True)

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


# --- Frameworks -----------------------------------------------------------------------------


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class Framework(TenantOwnedModel):
    """One version of a tenant's social value framework: themes -> sub-themes -> metrics.

    Versions of one framework share its name; a new version is a draft copy of an earlier one
    (kvi.frameworks.framework_new_version). Publishing a version supersedes the one before.
    """

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    description = models.TextField(blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name", "version"], name="framework_unique_version"
            ),
            # At most one published version of a framework at a time.
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=models.Q(status="published"),
                name="framework_one_published",
            ),
            # At most one draft version of a framework at a time.
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=models.Q(status="draft"),
                name="framework_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class FrameworkTheme(TenantOwnedModel):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "framework", "name"], name="frameworktheme_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubTheme(TenantOwnedModel):
    theme = models.ForeignKey(FrameworkTheme, on_delete=models.CASCADE, related_name="subthemes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "theme", "name"], name="subtheme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    PERCENT = "%", "%"
    COUNT = "count", "count"
    PEOPLE = "people", "people"
    HOURS = "hours", "hours"
    POUNDS = "£", "£"
    TCO2E = "tCO2e", "tCO2e"
    LITRES = "litres", "litres"
    WTE = "WTE", "WTE"
    SESSIONS = "sessions", "sessions"


class Direction(models.TextChoices):
    """The improvement direction (the values kvi.spc expects)."""

    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither"


class Aggregation(models.TextChoices):
    """How a year's periods combine (kvi.periods.combine)."""

    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    LATEST = "latest", "Latest"
    RATIO = "ratio", "Summed numerators over summed denominators"


class MetricFeed(models.TextChoices):
    """Where a metric's figures come from: entered (in the browser, an import or the API), or
    worked out from an upload the organisation makes (kvi.feeds)."""

    ENTERED = "", "Entered or imported"
    LEDGER_LOCAL_SPEND = "ledger_local_spend", "Spend ledger: % of spend with local suppliers"
    LEDGER_SME_SPEND = "ledger_sme_spend", "Spend ledger: % of spend with SMEs"
    LEDGER_VCSE_SPEND = "ledger_vcse_spend", "Spend ledger: % of spend with VCSE organisations"
    WORKFORCE_DISABILITY = "workforce_disability", "Workforce: % of WTE with a declared disability"
    WORKFORCE_ETHNIC_MINORITY = (
        "workforce_ethnic_minority",
        "Workforce: % of WTE from ethnic minority groups",
    )
    WORKFORCE_MOST_DEPRIVED = (
        "workforce_most_deprived",
        "Workforce: % of WTE living in the most deprived 20% of areas",
    )


class Metric(TenantOwnedModel):
    """A measure in a framework version. `organisation` set = that organisation's own metric,
    added to the tenant's framework; empty = the tenant's."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="metrics")
    subtheme = models.ForeignKey(SubTheme, on_delete=models.CASCADE, related_name="metrics")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    unit = models.CharField(max_length=10, choices=Unit.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices)
    proxy_measure_code = models.CharField(
        max_length=60, blank=True, help_text="The measure in a proxy set that monetises it."
    )
    feed = models.CharField(max_length=40, choices=MetricFeed.choices, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "framework", "code"], name="metric_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CrosswalkScheme(models.TextChoices):
    PPN_0620 = "ppn_0620", "PPN 06/20 Social Value Model"
    PPN_002 = "ppn_002", "PPN 002"
    TOMS = "toms", "TOMs"
    SVQM_THEME = "svqm_theme", "SVQM theme"
    ANCHOR_PILLAR = "anchor_pillar", "Anchor charter pillar"
    MARMOT = "marmot", "Marmot principle"


class Crosswalk(TenantOwnedModel):
    """Maps a metric to an item of an external framework, so one figure reports under both."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="crosswalks")
    scheme = models.CharField(max_length=20, choices=CrosswalkScheme.choices)
    item_code = models.CharField(max_length=60)
    item_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["scheme", "item_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "metric", "scheme", "item_code"], name="crosswalk_unique_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.item_code}"


# --- KVIs and measurements ------------------------------------------------------------------


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Kvi(TenantOwnedModel):
    """An organisation's Key Value Indicator: a metric with a baseline and a target."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="kvis")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    # A string reference: kvi imports no other domain app.
    pledge = models.ForeignKey(
        "charters.Pledge", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    baseline_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    baseline_period = models.DateField(
        null=True, blank=True, help_text="First day of the baseline period."
    )
    target_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    target_financial_year = models.CharField(
        max_length=7, blank=True, help_text='The financial year it is due, e.g. "2022/23".'
    )
    target_date = models.DateField(null=True, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    owner_name = models.CharField(max_length=200, blank=True)
    # How its SPC chart is calculated (kvi.spc.SpcSettings): fixed baseline, rebase points,
    # outlier screening (off by default, as in NHS England's tools) and run lengths.
    spc_baseline_points = models.PositiveSmallIntegerField(null=True, blank=True)
    spc_rebase_at = ArrayField(models.DateField(), default=list, blank=True)
    spc_screen_outliers = models.BooleanField(default=False)
    spc_shift_length = models.PositiveSmallIntegerField(default=7)
    spc_trend_length = models.PositiveSmallIntegerField(default=7)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "organisation", "code"], name="kvi_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def improvement_direction(self) -> str:
        return self.metric.direction


class MeasurementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VALIDATED = "validated", "Validated"
    RETURNED = "returned", "Returned"


DECIMAL: dict[str, Any] = {"max_digits": 20, "decimal_places": 6, "null": True, "blank": True}


class Measurement(TenantOwnedModel):
    """The current figure of one KVI for one period (the first day of the period): a value, or
    a numerator and denominator. Changes after submission leave a MeasurementRevision."""

    kvi = models.ForeignKey(Kvi, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField()
    value = models.DecimalField(**DECIMAL)
    numerator = models.DecimalField(**DECIMAL)
    denominator = models.DecimalField(**DECIMAL)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=MeasurementStatus.choices, default=MeasurementStatus.DRAFT
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["kvi", "period"]
        # The API's cursor over every measurement of a tenant runs in (period, id) order.
        indexes = [
            models.Index(fields=["tenant", "period", "id"], name="measurement_tenant_period")
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kvi", "period"], name="measurement_one"),
            models.CheckConstraint(
                name="measurement_value_or_ratio",
                condition=(
                    models.Q(value__isnull=False, numerator__isnull=True, denominator__isnull=True)
                    | models.Q(value__isnull=True, numerator__isnull=False, denominator__gt=0)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kvi.code} {self.period.isoformat()}"


class MeasurementRevision(TenantOwnedModel):
    """One change to a measurement after submission: who, when, old and new figures, why."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_status = models.CharField(max_length=20, choices=MeasurementStatus.choices)
    old_value = models.DecimalField(**DECIMAL)
    old_numerator = models.DecimalField(**DECIMAL)
    old_denominator = models.DecimalField(**DECIMAL)
    new_value = models.DecimalField(**DECIMAL)
    new_numerator = models.DecimalField(**DECIMAL)
    new_denominator = models.DecimalField(**DECIMAL)
    reason = models.TextField()

    class Meta:
        ordering = ["measurement", "changed_at"]
        constraints = [
            models.CheckConstraint(
                name="measurementrevision_reason_required", condition=~models.Q(reason="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.measurement} changed {self.changed_at:%Y-%m-%d}"


# --- The year figures rollup (the tenant overview reads it) --------------------------------


class ExactDecimalField(models.DecimalField):
    """A PostgreSQL ``numeric`` without precision or scale: a Decimal kept exactly as computed
    (a year-to-date ratio such as 370 ÷ 3000 × 100 keeps every digit Python gave it)."""

    def db_type(self, connection) -> str:
        return "numeric"

    def check(self, **kwargs):
        # DecimalField's checks insist on max_digits and decimal_places; numeric needs neither.
        return models.Field.check(self, **kwargs)


class KviYearFigure(TenantOwnedModel):
    """One KVI's year to date in one financial year, worked out by kvi.rollup: its counted
    figures, its figure (kvi.selectors.combined_figure's), its status against target
    (kvi.status.kvi_status, judged on ``as_of``) and its monetised value (kvi.value.monetise).
    The tenant overview adds these rows up in SQL.

    Database triggers (migration 0007) set ``is_stale`` whenever something a row was worked out
    from changes: the KVI's measurements in that year, the KVI's target, baseline or metric, the
    metric's unit, direction, aggregation or proxy measure, the active proxy set. A row is also
    out of date when it was judged on another day than the one asked for (``as_of``)."""

    kvi = models.ForeignKey(Kvi, on_delete=models.CASCADE, related_name="year_figures")
    # The KVI's organisation and metric, copied for grouping (kept right by the refresh); read
    # through the (tenant, financial year) index, so no index of their own.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+", db_index=False)
    financial_year = models.CharField(max_length=7)  # "2022/23"
    as_of = models.DateField(help_text="The date the figure and status stand for.")
    counted = models.PositiveIntegerField(help_text="Validated and submitted figures to date.")
    awaiting = models.PositiveIntegerField(help_text="Submitted figures awaiting validation.")
    figure = ExactDecimalField(null=True, blank=True)  # None: no counted figures
    status = models.CharField(max_length=20)  # a kvi.status.KviStatus value
    expected = ExactDecimalField(null=True, blank=True)  # where the trajectory says, on as_of
    # The metric can be priced and the active proxy set has its measure for the year; the
    # value (quantity × proxy, gross and net) is set when it also has a figure.
    has_proxy = models.BooleanField(default=False)
    quantity = ExactDecimalField(null=True, blank=True)
    gross = ExactDecimalField(null=True, blank=True)
    net = ExactDecimalField(null=True, blank=True)
    is_stale = models.BooleanField(default=False)
    worked_out_at = models.DateTimeField()

    class Meta:
        ordering = ["financial_year", "kvi"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kvi", "financial_year"], name="kviyearfigure_one_year"
            )
        ]
        indexes = [
            # The overview's sums read a year's rows.
            models.Index(
                fields=["tenant", "financial_year", "organisation"], name="kviyearfigure_year"
            ),
            # Whether a year needs working out: its fresh rows judged on a day, counted in the
            # index alone (kvi.rollup).
            models.Index(
                fields=["tenant", "financial_year", "as_of"],
                condition=models.Q(is_stale=False),
                name="kviyearfigure_fresh",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.status}"


# --- Evidence files on measurements -------------------------------------------------------


class MeasurementEvidence(TenantOwnedModel):
    """A file that backs a figure, stored privately under a random key (uploads.storage)."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="evidence")
    storage_key = models.CharField(max_length=200, unique=True)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["measurement", "created_at"]

    def __str__(self) -> str:
        return self.file_name


# --- Imports run in the background ------------------------------------------------------------


class ImportKind(models.TextChoices):
    MEASUREMENTS = "measurements", "KVI measurements"
    METRIC_LIBRARY = "metric_library", "Metric library"
    CROSSWALKS = "crosswalks", "Crosswalks"
    SPEND_LEDGER = "spend_ledger", "Spend ledger"
    WORKFORCE = "workforce", "Workforce counts"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting to be checked"
    CHECKING = "checking", "Being checked"
    REFUSED = "refused", "Has errors"
    CHECKED = "checked", "Checked: ready to import"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ImportJob(TenantOwnedModel):
    """One uploaded import file and its progress: checked in the background (a preview and a
    row-by-row error report), then, when the person confirms, imported whole in one
    transaction. The browser polls this row. Status changes are compare-and-set, so a task run
    twice does the work once."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    storage_key = models.CharField(max_length=200)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 12, "column": .., "message"}]
    summary = models.JSONField(default=dict, blank=True)  # {"created": 3, "unchanged": 9, ...}
    failure_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name} ({self.get_status_display()})"


# --- Workforce aggregates -----------------------------------------------------------------


class WorkforceReturn(TenantOwnedModel):
    """An organisation's workforce counts for one period: WTE by declared disability, ethnicity
    group and IMD quintile of home postcode district. Counts only, never people."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(help_text="First day of the period the counts describe.")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    # {"disability": {"Yes": "41.2", "No": "790.0", "Not declared": "34.8"}, "ethnicity": {..},
    #  "imd_quintile": {"1": "120.5", ..}}: WTE as decimal strings.
    counts = models.JSONField(default=dict)
    total_wte = models.DecimalField(max_digits=20, decimal_places=6)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "organisation", "period"], name="workforcereturn_one_period"
            )
        ]

    def __str__(self) -> str:
        return f"Workforce {self.period.isoformat()}"


# --- Proxy sets (monetised value) ---------------------------------------------------------


class ProxySet(TenantOwnedModel):
    """One loaded version of a proxy set (financial proxies: GBP per unit of a measure).

    Loaded by a tenant admin from the publisher's CSV; never shipped with the code (their
    publishers license them). The active version of a tenant's proxy sets prices its figures."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=300, blank=True)
    licence = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(default=False)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name", "version"], name="proxyset_unique_version"
            ),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_active=True), name="proxyset_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ProxyValue(TenantOwnedModel):
    """GBP per unit of one measure in one financial year, with deadweight and attribution."""

    proxy_set = models.ForeignKey(ProxySet, on_delete=models.CASCADE, related_name="values")
    measure_code = models.CharField(max_length=60)
    unit = models.CharField(max_length=40)
    financial_year = models.CharField(max_length=7)
    value_per_unit = models.DecimalField(max_digits=20, decimal_places=6)
    source = models.CharField(max_length=300, blank=True)
    licence = models.CharField(max_length=300, blank=True)
    deadweight_pct = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    attribution_pct = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    # How much of the outcome fades each later year (stored with the proxy; a one-year value
    # does not use it).
    dropoff_pct = models.DecimalField(max_digits=7, decimal_places=4, default=0)

    class Meta:
        ordering = ["measure_code", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "proxy_set", "measure_code", "financial_year"],
                name="proxyvalue_unique_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} {self.financial_year}"
