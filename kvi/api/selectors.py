"""Reads for the KVI API: frameworks, metrics, KVIs and measurements of one tenant, limited to
the organisations the caller may see (`organisation_ids`: None = every organisation).

Each list carries `last_changed` (what `updated_since` filters on) and decides its joins and
prefetches, so a page costs a fixed number of queries whatever its length.
"""

from django.db.models import Max, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest

from kvi.models import (
    Crosswalk,
    Framework,
    FrameworkStatus,
    FrameworkTheme,
    Kvi,
    Measurement,
    MeasurementStatus,
    Metric,
    SubTheme,
)

# Figures the API shows: those that count in series and year-to-date (kvi.selectors), that is
# submitted (awaiting validation) and validated. Drafts and returned figures stay with the
# organisation until they are submitted again.
API_MEASUREMENT_STATUSES = (MeasurementStatus.SUBMITTED, MeasurementStatus.VALIDATED)

# Framework versions the API shows: published ones, and superseded ones (KVIs stay on the
# metrics of the version they were set on). Drafts only to those who manage frameworks.
API_FRAMEWORK_STATUSES = (FrameworkStatus.PUBLISHED, FrameworkStatus.SUPERSEDED)


def framework_api_list(*, tenant, include_drafts: bool = False) -> QuerySet[Framework]:
    """Framework versions with their themes and sub-themes prefetched (three queries);
    `last_changed` is the latest change of the version, a theme or a sub-theme."""
    frameworks = Framework.objects.filter(tenant=tenant)
    if not include_drafts:
        frameworks = frameworks.filter(status__in=API_FRAMEWORK_STATUSES)
    return (
        frameworks.prefetch_related(
            Prefetch(
                "themes",
                queryset=FrameworkTheme.objects.filter(tenant=tenant).order_by("position", "name"),
            ),
            Prefetch(
                "themes__subthemes",
                queryset=SubTheme.objects.filter(tenant=tenant).order_by("position", "name"),
            ),
        )
        .annotate(
            last_changed=Greatest(
                "updated_at", Max("themes__updated_at"), Max("themes__subthemes__updated_at")
            )
        )
        .order_by("name", "-version")
    )


def metric_api_list(
    *, tenant, organisation_ids: list | None, include_drafts: bool = False
) -> QuerySet[Metric]:
    """Metrics of the visible framework versions: the tenant's, and the organisations' own
    metrics of the organisations in `organisation_ids` (all when None), with framework,
    sub-theme, theme and organisation joined and crosswalks prefetched (two queries)."""
    metrics = Metric.objects.filter(tenant=tenant)
    if not include_drafts:
        metrics = metrics.filter(framework__status__in=API_FRAMEWORK_STATUSES)
    if organisation_ids is not None:
        metrics = metrics.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids)
        )
    return (
        metrics.select_related("framework", "subtheme", "subtheme__theme", "organisation")
        .prefetch_related(
            Prefetch(
                "crosswalks",
                queryset=Crosswalk.objects.filter(tenant=tenant).order_by("scheme", "item_code"),
            )
        )
        .annotate(
            last_changed=Greatest(
                "updated_at", Max("crosswalks__updated_at"), "organisation__updated_at"
            )
        )
        .order_by(
            "framework__name",
            "-framework__version",
            "subtheme__theme__position",
            "subtheme__position",
            "position",
            "code",
        )
    )


def kvi_api_list(*, tenant, organisation_ids: list | None) -> QuerySet[Kvi]:
    """KVIs of the organisations in `organisation_ids` (all when None), with organisation and
    metric joined (one query); `last_changed` covers the organisation's and metric's changes."""
    kvis = Kvi.objects.filter(tenant=tenant)
    if organisation_ids is not None:
        kvis = kvis.filter(organisation_id__in=organisation_ids)
    return (
        kvis.select_related("organisation", "metric")
        .annotate(
            last_changed=Greatest("updated_at", "organisation__updated_at", "metric__updated_at")
        )
        .order_by("organisation__name", "code", "id")
    )


def kvi_api_get(*, tenant, organisation_ids: list | None, kvi_id) -> Kvi | None:
    return kvi_api_list(tenant=tenant, organisation_ids=organisation_ids).filter(pk=kvi_id).first()


# The columns of a measurement row (kvi.api.serializers.measurement_row reads them).
MEASUREMENT_COLUMNS = (
    "id",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
    "source",
    "submitted_at",
    "validated_at",
    "updated_at",
    "kvi_id",
    "kvi__code",
    "kvi__organisation_id",
    "kvi__metric__unit",
)


def measurement_api_list(*, tenant, organisation_ids: list | None, kvi=None) -> QuerySet:
    """The submitted and validated figures of the visible organisations' KVIs (or of one KVI),
    as plain rows (`values()`, one query) in time-series order: period, then id."""
    measurements = Measurement.objects.filter(tenant=tenant, status__in=API_MEASUREMENT_STATUSES)
    if organisation_ids is not None:
        measurements = measurements.filter(kvi__organisation_id__in=organisation_ids)
    if kvi is not None:
        measurements = measurements.filter(kvi=kvi)
    return measurements.order_by("period", "id").values(*MEASUREMENT_COLUMNS)
