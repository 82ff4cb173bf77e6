"""Input and output serializers of the KVI API. Figures are decimal strings ("13.09"), never
binary floats; people (who entered or validated a figure) are never exposed."""

from decimal import Decimal, localcontext

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kvi.api.filters import MEASUREMENT_STATUS_CHOICES
from kvi.models import (
    Aggregation,
    CrosswalkScheme,
    Direction,
    FrameworkStatus,
    Frequency,
    MetricFeed,
    Unit,
)

SIX_PLACES = Decimal("0.000001")
DECIMAL_SCHEMA = {"type": "string", "format": "decimal", "example": "13.09"}


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as plain text, to six places at most, without trailing zeros: "13.09"."""
    if value is None:
        return None
    with localcontext(prec=60):  # a ratio's figure may have more digits than the default 28
        text = format(value.quantize(SIX_PLACES), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@extend_schema_field(DECIMAL_SCHEMA)
class DecimalText(serializers.Field):
    def to_representation(self, value):
        return decimal_text(value)


# --- Frameworks and metrics ---------------------------------------------------------------


class FrameworkSubThemeOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Use it in the metrics' `subtheme` filter.")
    name = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()


class FrameworkThemeOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Use it in the metrics' `theme` filter.")
    name = serializers.CharField()
    position = serializers.IntegerField()
    subthemes = FrameworkSubThemeOut(many=True)


class FrameworkOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Use it in the metrics' `framework` filter.")
    name = serializers.CharField(help_text="Shared by every version of the framework.")
    version = serializers.IntegerField(help_text="1 is the first version.")
    status = serializers.ChoiceField(choices=FrameworkStatus.choices)
    description = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    themes = FrameworkThemeOut(many=True, help_text="Themes, each with its sub-themes, in order.")
    updated_at = serializers.DateTimeField(
        source="last_changed",
        help_text="When the version, one of its themes or sub-themes last changed.",
    )


class FrameworkRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=FrameworkStatus.choices)


class KviNamedRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class CrosswalkOut(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=CrosswalkScheme.choices)
    item_code = serializers.CharField(help_text="The item's code in that scheme, e.g. MAC 2.")
    item_label = serializers.CharField()


class MetricOut(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField(help_text="Stable from one framework version to the next.")
    name = serializers.CharField()
    definition = serializers.CharField(help_text="Exactly what the metric counts.")
    unit = serializers.ChoiceField(choices=Unit.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    aggregation = serializers.ChoiceField(
        choices=Aggregation.choices, help_text="How a year's periods combine."
    )
    proxy_measure_code = serializers.CharField(
        help_text="The measure in a proxy set that monetises it; empty when none."
    )
    feed = serializers.ChoiceField(
        choices=MetricFeed.choices,
        help_text="Empty when figures are entered, imported or pushed; otherwise the upload "
        "they are worked out from (push no figures for those).",
    )
    framework = FrameworkRefOut()
    theme = KviNamedRefOut(source="subtheme.theme")
    subtheme = KviNamedRefOut()
    organisation = KviNamedRefOut(
        allow_null=True, help_text="The organisation whose own metric it is; null for the tenant's."
    )
    crosswalks = CrosswalkOut(
        many=True, help_text="Items of other frameworks it reports under (PPN 06/20, SVQM…)."
    )
    updated_at = serializers.DateTimeField(
        source="last_changed", help_text="When the metric, its crosswalks or organisation changed."
    )


# --- KVIs ---------------------------------------------------------------------------------


class KviMetricOut(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    framework = serializers.UUIDField(source="framework_id", help_text="The framework version.")


class BaselineOut(serializers.Serializer):
    value = DecimalText(source="baseline_value", allow_null=True)
    period = serializers.DateField(
        source="baseline_period", allow_null=True, help_text="First day of the baseline period."
    )


class TargetOut(serializers.Serializer):
    value = DecimalText(source="target_value", allow_null=True)
    financial_year = serializers.CharField(
        source="target_financial_year",
        help_text='The NHS financial year it is due, e.g. "2023/24"; empty when a date is given.',
    )
    date = serializers.DateField(source="target_date", allow_null=True)


class KviOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Use it for the KVI's measurements.")
    code = serializers.CharField(help_text="Unique within the organisation; `kvi_code` in pushes.")
    title = serializers.CharField()
    organisation = KviNamedRefOut()
    metric = KviMetricOut()
    pledge = serializers.UUIDField(
        source="pledge_id", allow_null=True, help_text="The charter pledge it evidences, if any."
    )
    baseline = BaselineOut(source="*")
    target = TargetOut(source="*")
    frequency = serializers.ChoiceField(
        choices=Frequency.choices,
        help_text="Periods start on 1 April, 1 July, 1 October and 1 January for quarters, and "
        "on 1 April for years.",
    )
    owner = serializers.CharField(source="owner_name", help_text="Who answers for it.")
    updated_at = serializers.DateTimeField(
        source="last_changed", help_text="When the KVI, its organisation or metric last changed."
    )


# --- Measurements -------------------------------------------------------------------------


class MeasurementOut(serializers.Serializer):
    """Documents a measurement row; rows are built by `measurement_row` (lists are hot)."""

    id = serializers.UUIDField()
    kvi = serializers.UUIDField()
    kvi_code = serializers.CharField()
    organisation = serializers.UUIDField()
    period = serializers.DateField(help_text="First day of the period.")
    figure = serializers.CharField(
        help_text="The figure: the value, or numerator / denominator (x 100 for a % metric), "
        "to six decimal places at most."
    )
    unit = serializers.ChoiceField(choices=Unit.choices)
    value = DecimalText(allow_null=True)
    numerator = DecimalText(allow_null=True)
    denominator = DecimalText(allow_null=True)
    status = serializers.ChoiceField(choices=MEASUREMENT_STATUS_CHOICES)
    note = serializers.CharField()
    source = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    validated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the organisation admin validated it; null until then."
    )
    updated_at = serializers.DateTimeField()


_datetime = serializers.DateTimeField()


def _when(value) -> str | None:
    return None if value is None else _datetime.to_representation(value)


def measurement_row(row: dict) -> dict:
    """One measurement row (from kvi.api.selectors.measurement_api_list) as the API shows it."""
    value, numerator, denominator = row["value"], row["numerator"], row["denominator"]
    if value is not None:
        figure = value
    else:
        figure = numerator / denominator
        if row["kvi__metric__unit"] == Unit.PERCENT:
            figure *= 100
    return {
        "id": str(row["id"]),
        "kvi": str(row["kvi_id"]),
        "kvi_code": row["kvi__code"],
        "organisation": str(row["kvi__organisation_id"]),
        "period": row["period"].isoformat(),
        "figure": decimal_text(figure),
        "unit": row["kvi__metric__unit"],
        "value": decimal_text(value),
        "numerator": decimal_text(numerator),
        "denominator": decimal_text(denominator),
        "status": row["status"],
        "note": row["note"],
        "source": row["source"],
        "submitted_at": _when(row["submitted_at"]),
        "validated_at": _when(row["validated_at"]),
        "updated_at": _when(row["updated_at"]),
    }


# --- Pushing measurements -----------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "nullable": True,
        "example": "1309.5",
        "description": "A number, as a decimal string or a JSON number.",
    }
)
class FigureIn(serializers.Field):
    """For the schema only: the batch is checked by kvi.imports, exactly like a file import."""


class MeasurementItemIn(serializers.Serializer):
    kvi_code = serializers.CharField(help_text="The KVI's code in the organisation, e.g. L1-SPEND.")
    period = serializers.DateField(
        help_text="First day of the period: a month's 1st; for quarters 1 April, 1 July, "
        "1 October, 1 January; for years 1 April."
    )
    value = FigureIn(required=False, help_text="The figure; or give numerator and denominator.")
    numerator = FigureIn(required=False, help_text="For a KVI that combines as a ratio.")
    denominator = FigureIn(required=False, help_text="More than zero.")
    note = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)


class MeasurementBatchIn(serializers.Serializer):
    organisation = serializers.UUIDField(help_text="The organisation whose KVIs these are.")
    measurements = MeasurementItemIn(
        many=True, help_text="1 to 1,000 figures; all are saved or none."
    )


class MeasurementBatchOut(serializers.Serializer):
    created = serializers.IntegerField(help_text="New figures, submitted for validation.")
    changed = serializers.IntegerField(
        help_text="Existing figures given a new value (corrections, kept as revisions)."
    )
    unchanged = serializers.IntegerField(help_text="Figures already recorded exactly so.")
