"""Filters of the KVI API lists."""

import django_filters

from api.filters import ApiFilterSet, TextFilter, UpdatedSinceFilter
from kvi.api.selectors import API_MEASUREMENT_STATUSES
from kvi.models import Framework, FrameworkStatus, Frequency, Kvi, Measurement, Metric, Unit


class FrameworkFilter(ApiFilterSet):
    name = TextFilter(lookup_expr="iexact", help_text="Only versions of the framework so named.")
    status = django_filters.ChoiceFilter(
        choices=FrameworkStatus.choices,
        help_text="Only versions in this state (keys see published and superseded versions).",
    )
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("version", "version"), ("last_changed", "updated_at")),
        help_text="Sort by name, version or updated_at; prefix with - for descending. "
        "Default: name, newest version first.",
    )

    class Meta:
        model = Framework
        fields: list[str] = []


class MetricFilter(ApiFilterSet):
    framework = django_filters.UUIDFilter(
        field_name="framework_id", help_text="Only metrics of this framework version (its id)."
    )
    theme = django_filters.UUIDFilter(
        field_name="subtheme__theme_id", help_text="Only metrics under this theme (its id)."
    )
    subtheme = django_filters.UUIDFilter(
        field_name="subtheme_id", help_text="Only metrics under this sub-theme (its id)."
    )
    unit = django_filters.ChoiceFilter(choices=Unit.choices, help_text="Only metrics in this unit.")
    code = TextFilter(
        lookup_expr="iexact", help_text="Only the metric with this code (in each version)."
    )
    organisation = django_filters.UUIDFilter(
        field_name="organisation_id", help_text="Only this organisation's own metrics."
    )
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(("code", "code"), ("last_changed", "updated_at")),
        help_text="Sort by code or updated_at; prefix with - for descending. Default: framework, "
        "newest version first, then the framework's own order.",
    )

    class Meta:
        model = Metric
        fields: list[str] = []


class KviFilter(ApiFilterSet):
    organisation = django_filters.UUIDFilter(
        field_name="organisation_id", help_text="Only this organisation's KVIs."
    )
    metric = TextFilter(
        field_name="metric__code",
        lookup_expr="iexact",
        help_text="Only KVIs of the metric with this code.",
    )
    frequency = django_filters.ChoiceFilter(
        choices=Frequency.choices, help_text="Only KVIs reported this often."
    )
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(("code", "code"), ("last_changed", "updated_at")),
        help_text="Sort by code or updated_at; prefix with - for descending. Default: "
        "organisation name, then code.",
    )

    class Meta:
        model = Kvi
        fields: list[str] = []


MEASUREMENT_STATUS_CHOICES = [(status.value, status.label) for status in API_MEASUREMENT_STATUSES]


class KviMeasurementFilter(ApiFilterSet):
    """Filters of one KVI's series."""

    period_from = django_filters.DateFilter(
        field_name="period", lookup_expr="gte", help_text="Periods starting on or after this date."
    )
    period_to = django_filters.DateFilter(
        field_name="period", lookup_expr="lte", help_text="Periods starting on or before this date."
    )
    status = django_filters.ChoiceFilter(
        choices=MEASUREMENT_STATUS_CHOICES,
        help_text="Only figures in this state: submitted (awaiting validation) or validated.",
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Measurement
        fields: list[str] = []


class MeasurementFilter(KviMeasurementFilter):
    """Filters of the series across KVIs."""

    organisation = django_filters.UUIDFilter(
        field_name="kvi__organisation_id", help_text="Only this organisation's figures."
    )
    kvi = django_filters.UUIDFilter(field_name="kvi_id", help_text="Only this KVI's figures.")
    metric = TextFilter(
        field_name="kvi__metric__code",
        lookup_expr="iexact",
        help_text="Only figures of KVIs of the metric with this code.",
    )

    class Meta(KviMeasurementFilter.Meta):
        pass
