"""What every kind of report shares: the data freeze, text for dates and money, the proxy set
that priced figures at the freeze, and an SPC chart as plain data (so the inputs stay JSON and
the chart is drawn, the same every time, when the PDF is laid out).

The data freeze: a report shows the data as it stood at the end of its `data_freeze_date`
(Europe/London). Anything created after that instant is left out; figures changed after it are
read as they were (kvi: MeasurementRevision's old figures; anchors: returns accepted by then;
charters and awards: signatures and awards made by then)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kvi.models import ProxySet, ProxyValue
from kvi.spc import SpcPoint, SpcResult, SpcSegment
from kvi.value import format_money
from tenancy.models import AuditEvent

LONDON = ZoneInfo("Europe/London")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Freeze:
    """The report's data freeze: `day` (its data_freeze_date) and `end`, the first instant
    after that day in Europe/London. Rows stamped before `end` count."""

    day: date
    end: datetime

    @classmethod
    def of(cls, day: date) -> "Freeze":
        return cls(day, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON))


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def date_text(day: date | None) -> str:
    """19 October 2022 (whatever the locale); "" for none."""
    return "" if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_text(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def money_text(amount: Decimal | None) -> str:
    """Whole pounds ("£17,608"); "" for none."""
    return "" if amount is None else format_money(amount, pence=False)


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def inputs_sha256(inputs: dict) -> str:
    """The hash of a report's inputs (sorted keys, no spaces): same inputs, same hash."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- The proxy set in force at the freeze --------------------------------------------------


def proxies_at_freeze(*, tenant, freeze: Freeze) -> tuple[str | None, dict]:
    """(the proxy set's name and version, {(measure code, financial year): ProxyValue}) of the
    set that priced the tenant's figures at the freeze: the set most recently loaded or made
    active before it (kvi.value_load audits both; loading makes a set active). Without such an
    event, the active set if it was loaded before the freeze. Two queries."""
    set_id = (
        AuditEvent.objects.filter(
            tenant=tenant,
            verb__in=("proxy_set.loaded", "proxy_set.activated"),
            object_type=ProxySet._meta.label_lower,
            created_at__lt=freeze.end,
        )
        .order_by("-created_at")
        .values_list("object_id", flat=True)
        .first()
    )
    sets = ProxySet.objects.filter(tenant=tenant, created_at__lt=freeze.end)
    proxy_set = sets.filter(pk=set_id).first() if set_id else sets.filter(is_active=True).first()
    if proxy_set is None:
        return None, {}
    values = ProxyValue.objects.filter(tenant=tenant, proxy_set=proxy_set)
    for value in values:
        value.proxy_set = proxy_set
    return f"{proxy_set.name} v{proxy_set.version}", {
        (value.measure_code, value.financial_year): value for value in values
    }


# --- SPC charts as plain data ------------------------------------------------------------------

_POINT_DECIMALS = ("value", "mean", "upper_limit", "lower_limit", "near_upper", "near_lower",
                   "moving_range")  # fmt: skip
_SEGMENT_DECIMALS = ("mean", "average_moving_range", "upper_limit", "lower_limit", "near_upper",
                     "near_lower")  # fmt: skip


def spc_to_data(result: SpcResult) -> dict:
    """An SPC result as JSON-safe data (decimals as exact strings, dates as ISO)."""
    return {
        "points": [
            {
                "period": point.period.isoformat(),
                **{name: decimal_text(getattr(point, name)) for name in _POINT_DECIMALS},
                "special_cause": point.special_cause,
                "point_type": point.point_type,
                "colour": point.colour,
                "segment": point.segment,
            }
            for point in result.points
        ],
        "segments": [
            {
                "start": segment.start.isoformat(),
                "end": segment.end.isoformat(),
                "point_count": segment.point_count,
                "baseline_count": segment.baseline_count,
                **{name: decimal_text(getattr(segment, name)) for name in _SEGMENT_DECIMALS},
                "screened_moving_ranges": segment.screened_moving_ranges,
                "trial_limits": segment.trial_limits,
            }
            for segment in result.segments
        ],
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "trial_limits": result.trial_limits,
        "target": decimal_text(result.target),
        "improvement_direction": result.improvement_direction,
    }


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def spc_from_data(data: dict) -> SpcResult:
    """The SpcResult that spc_to_data wrote (for kvi.charts.xmr_chart_svg)."""
    points = [
        SpcPoint(
            period=date.fromisoformat(point["period"]),
            value=Decimal(point["value"]),
            mean=Decimal(point["mean"]),
            upper_limit=_decimal(point["upper_limit"]),
            lower_limit=_decimal(point["lower_limit"]),
            near_upper=_decimal(point["near_upper"]),
            near_lower=_decimal(point["near_lower"]),
            moving_range=_decimal(point["moving_range"]),
            special_cause=point["special_cause"],
            point_type=point["point_type"],
            colour=point["colour"],
            segment=point["segment"],
        )
        for point in data["points"]
    ]
    segments = [
        SpcSegment(
            start=date.fromisoformat(segment["start"]),
            end=date.fromisoformat(segment["end"]),
            point_count=segment["point_count"],
            baseline_count=segment["baseline_count"],
            mean=Decimal(segment["mean"]),
            average_moving_range=_decimal(segment["average_moving_range"]),
            screened_moving_ranges=segment["screened_moving_ranges"],
            upper_limit=_decimal(segment["upper_limit"]),
            lower_limit=_decimal(segment["lower_limit"]),
            near_upper=_decimal(segment["near_upper"]),
            near_lower=_decimal(segment["near_lower"]),
            trial_limits=segment["trial_limits"],
        )
        for segment in data["segments"]
    ]
    return SpcResult(
        points=points,
        variation_icon=data["variation_icon"],
        assurance_icon=data["assurance_icon"],
        trial_limits=data["trial_limits"],
        segments=segments,
        target=_decimal(data["target"]),
        improvement_direction=data["improvement_direction"],
    )
