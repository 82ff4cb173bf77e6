"""Statistical process control as NHS boards read it (NHS England's "Making Data Count").

An XmR chart for one KVI series, following the rules and their order of precedence in
``shared/DOMAIN.md`` (reference: the NHS-R community's NHSRplotthedots, which reproduces NHS
England's spreadsheet tools):

- The series is split into segments at each rebase date. Each segment has its own limits,
  computed from its baseline: all of its points, or its first ``baseline_points`` when limits are
  fixed (only with 12 or more).
- Centre line = mean of the baseline. Moving range MR_i = |y_i - y_(i-1)| between neighbours in
  the same segment; AMR = mean of the baseline's moving ranges (optionally screened: moving
  ranges >= 3.267 x AMR are dropped and AMR recomputed). Process limits = mean +/- 2.66 x AMR;
  the near-limit band is beyond mean +/- 2/3 x 2.66 x AMR but not beyond the limit.
- Each point gets at most one special-cause label, checked in this order: beyond a process
  limit; a trend; two of three points near a limit; a shift. Runs never cross a segment boundary.

Decisions where the rules are silent (each documented where it is made):

- A segment needs three or more points for limits (two moving ranges). With fewer there is a
  mean but no limits, and its points are not judged: common cause.
- A trend's points are high or low by the direction of the trend (an increasing trend is
  "high" even where it starts below the mean), as NHS England's tool and NHSRplotthedots (its
  pull request 180, 2023) colour them; every other rule uses the side of the mean. A point
  that ends one trend and starts the next takes the later trend's direction.
- Limits resting on fewer than 12 points are trial limits (``SpcSegment.trial_limits``);
  ``SpcResult.trial_limits`` is true when any segment's are.

Pure Python over ``Decimal``: no database, no Django.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

ImprovementDirection = Literal["increase", "decrease", "neutral"]
INCREASE: ImprovementDirection = "increase"
DECREASE: ImprovementDirection = "decrease"
NEUTRAL: ImprovementDirection = "neutral"
IMPROVEMENT_DIRECTIONS: tuple[ImprovementDirection, ...] = (INCREASE, DECREASE, NEUTRAL)

# Special-cause rules, in order of precedence.
BEYOND_LIMITS = "beyond_limits"
TREND = "trend"
TWO_OF_THREE = "two_of_three"
SHIFT = "shift"
SPECIAL_CAUSE_RULES = (BEYOND_LIMITS, TREND, TWO_OF_THREE, SHIFT)

# Point types; the variation icon is the type of the latest point.
COMMON_CAUSE = "common_cause"
IMPROVEMENT_HIGH = "improvement_high"
IMPROVEMENT_LOW = "improvement_low"
CONCERN_HIGH = "concern_high"
CONCERN_LOW = "concern_low"
NEUTRAL_HIGH = "neutral_high"
NEUTRAL_LOW = "neutral_low"
POINT_TYPES = (
    COMMON_CAUSE,
    IMPROVEMENT_HIGH,
    IMPROVEMENT_LOW,
    CONCERN_HIGH,
    CONCERN_LOW,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)

# Assurance icons.
CONSISTENTLY_PASS = "consistently_pass"
CONSISTENTLY_FAIL = "consistently_fail"
HIT_AND_MISS = "hit_and_miss"
ASSURANCE_ICONS = (CONSISTENTLY_PASS, CONSISTENTLY_FAIL, HIT_AND_MISS)

# Colours by class of point (the NHSRplotthedots palette): improvement blue, concern orange,
# neutral purple, common cause grey.
COLOUR_IMPROVEMENT = "#00b0f0"
COLOUR_CONCERN = "#e46c0a"
COLOUR_NEUTRAL = "#490092"
COLOUR_COMMON_CAUSE = "#a6a6a6"
POINT_COLOURS = {
    COMMON_CAUSE: COLOUR_COMMON_CAUSE,
    IMPROVEMENT_HIGH: COLOUR_IMPROVEMENT,
    IMPROVEMENT_LOW: COLOUR_IMPROVEMENT,
    CONCERN_HIGH: COLOUR_CONCERN,
    CONCERN_LOW: COLOUR_CONCERN,
    NEUTRAL_HIGH: COLOUR_NEUTRAL,
    NEUTRAL_LOW: COLOUR_NEUTRAL,
}

LIMIT_FACTOR = Decimal("2.66")  # process limits = mean +/- 2.66 x AMR
OUTLIER_SCREEN_FACTOR = Decimal("3.267")  # screening drops moving ranges >= 3.267 x AMR
MIN_POINTS_FOR_LIMITS = 3  # two moving ranges
MIN_POINTS_FOR_FIRM_LIMITS = 12  # fewer gives trial limits; fixing a baseline needs this many
MIN_RUN_LENGTH = 2

SpcInputPoint = tuple[date, Decimal]


@dataclass(frozen=True)
class SpcSettings:
    """How one KVI's chart is calculated.

    ``baseline_points`` fixes each segment's limits on its first N points (N >= 12); ``None``
    uses every point. ``rebase_at`` lists period dates that start a new segment (each takes
    effect at the first point on or after it). ``screen_outliers`` is off by default, as in
    NHS England's spreadsheet tools.
    """

    improvement_direction: str
    target: Decimal | None = None
    baseline_points: int | None = None
    rebase_at: list[date] = field(default_factory=list)
    screen_outliers: bool = False
    trend_length: int = 7
    shift_length: int = 7

    def __post_init__(self) -> None:
        if self.improvement_direction not in IMPROVEMENT_DIRECTIONS:
            raise ValueError(
                f"Unknown improvement direction {self.improvement_direction!r}; expected one "
                f"of {', '.join(IMPROVEMENT_DIRECTIONS)}."
            )
        if self.target is not None and not isinstance(self.target, Decimal):
            raise TypeError("An SPC target is a Decimal.")
        if self.baseline_points is not None and self.baseline_points < MIN_POINTS_FOR_FIRM_LIMITS:
            raise ValueError(
                f"Limits can be fixed only on {MIN_POINTS_FOR_FIRM_LIMITS} or more points; "
                f"got {self.baseline_points}."
            )
        for name in ("trend_length", "shift_length"):
            if getattr(self, name) < MIN_RUN_LENGTH:
                raise ValueError(f"{name} must be at least {MIN_RUN_LENGTH}.")


@dataclass(frozen=True)
class SpcSegment:
    """One stretch of the series with its own limits (a new one starts at each rebase).

    The limit fields are ``None`` when the segment has fewer than three points.
    """

    start: date
    end: date
    point_count: int
    baseline_count: int
    mean: Decimal
    average_moving_range: Decimal | None
    screened_moving_ranges: int  # baseline moving ranges dropped by outlier screening
    upper_limit: Decimal | None
    lower_limit: Decimal | None
    near_upper: Decimal | None
    near_lower: Decimal | None
    trial_limits: bool

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None


@dataclass(frozen=True)
class SpcPoint:
    """One period of the chart: its value, the limits it is judged against and its verdict."""

    period: date
    value: Decimal
    mean: Decimal
    upper_limit: Decimal | None
    lower_limit: Decimal | None
    near_upper: Decimal | None
    near_lower: Decimal | None
    moving_range: Decimal | None  # None for the first point of a segment
    special_cause: str | None  # the rule that flagged it, one of SPECIAL_CAUSE_RULES
    point_type: str  # one of POINT_TYPES
    colour: str
    segment: int  # index into SpcResult.segments

    @property
    def is_special_cause(self) -> bool:
        return self.special_cause is not None


@dataclass(frozen=True)
class SpcResult:
    """The whole chart. ``variation_icon`` is ``None`` only for an empty series;
    ``assurance_icon`` is ``None`` without a target, for a neutral direction, or when the
    latest segment has no limits. ``target`` and ``improvement_direction`` repeat the settings
    so that the chart can be drawn from the result alone."""

    points: list[SpcPoint]
    variation_icon: str | None
    assurance_icon: str | None
    trial_limits: bool
    segments: list[SpcSegment]
    target: Decimal | None
    improvement_direction: str


# --- Calculation ----------------------------------------------------------------------------


def calculate_spc(points: Sequence[SpcInputPoint], settings: SpcSettings) -> SpcResult:
    """The XmR chart of ``points`` ((period, value) pairs in period order) under ``settings``."""
    series = _validated_series(points)
    if not series:
        return SpcResult(
            points=[],
            variation_icon=None,
            assurance_icon=None,
            trial_limits=False,
            segments=[],
            target=settings.target,
            improvement_direction=settings.improvement_direction,
        )
    chart_points: list[SpcPoint] = []
    segments: list[SpcSegment] = []
    for index, segment_series in enumerate(_split_at_rebases(series, settings.rebase_at)):
        segment = _segment_limits(segment_series, settings)
        segments.append(segment)
        chart_points.extend(_judge_segment(segment_series, segment, index, settings))
    latest_segment = segments[-1]
    return SpcResult(
        points=chart_points,
        variation_icon=chart_points[-1].point_type,
        assurance_icon=_assurance(latest_segment, settings),
        trial_limits=any(segment.trial_limits for segment in segments),
        segments=segments,
        target=settings.target,
        improvement_direction=settings.improvement_direction,
    )


def _validated_series(points: Sequence[SpcInputPoint]) -> list[SpcInputPoint]:
    series: list[SpcInputPoint] = []
    for period, value in points:
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"SPC values are Decimal; got {type(value).__name__} for {period}.")
        if series and period <= series[-1][0]:
            raise ValueError(
                f"SPC points must be in period order without repeats; {period} follows "
                f"{series[-1][0]}."
            )
        series.append((period, Decimal(value)))
    return series


def _split_at_rebases(
    series: list[SpcInputPoint], rebase_at: Sequence[date]
) -> list[list[SpcInputPoint]]:
    """Split the series so that each rebase date starts a segment at the first point on or
    after it. Rebase dates on or before the first point, or after the last, change nothing."""
    starts = {
        next(i for i, (period, _) in enumerate(series) if period >= rebase)
        for rebase in rebase_at
        if series[0][0] < rebase <= series[-1][0]
    }
    boundaries = [0, *sorted(starts), len(series)]
    return [series[a:b] for a, b in zip(boundaries, boundaries[1:], strict=False) if a < b]


def _moving_ranges(values: Sequence[Decimal]) -> list[Decimal]:
    """|y_i - y_(i-1)| for each point after the first."""
    return [abs(current - previous) for previous, current in zip(values, values[1:], strict=False)]


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _segment_limits(series: list[SpcInputPoint], settings: SpcSettings) -> SpcSegment:
    values = [value for _, value in series]
    baseline = values[: settings.baseline_points] if settings.baseline_points else values
    mean = _mean(baseline)
    average_moving_range: Decimal | None = None
    screened = 0
    if len(baseline) >= MIN_POINTS_FOR_LIMITS:
        moving_ranges = _moving_ranges(baseline)
        average_moving_range = _mean(moving_ranges)
        if settings.screen_outliers and average_moving_range > 0:
            # At least one moving range is <= AMR < 3.267 x AMR, so some always remain.
            threshold = OUTLIER_SCREEN_FACTOR * average_moving_range
            kept = [mr for mr in moving_ranges if mr < threshold]
            screened = len(moving_ranges) - len(kept)
            average_moving_range = _mean(kept)
    limit_width = None if average_moving_range is None else LIMIT_FACTOR * average_moving_range
    near_width = None if limit_width is None else limit_width * 2 / 3
    return SpcSegment(
        start=series[0][0],
        end=series[-1][0],
        point_count=len(values),
        baseline_count=len(baseline),
        mean=mean,
        average_moving_range=average_moving_range,
        screened_moving_ranges=screened,
        upper_limit=None if limit_width is None else mean + limit_width,
        lower_limit=None if limit_width is None else mean - limit_width,
        near_upper=None if near_width is None else mean + near_width,
        near_lower=None if near_width is None else mean - near_width,
        trial_limits=limit_width is not None and len(baseline) < MIN_POINTS_FOR_FIRM_LIMITS,
    )


def _sign(difference: Decimal) -> int:
    """+1, -1 or 0."""
    return (difference > 0) - (difference < 0)


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal, non-zero signs as (first index, last index, sign)."""
    runs = []
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                runs.append((start, i - 1, signs[start]))
            start = i
    return runs


def _judge_segment(
    series: list[SpcInputPoint], segment: SpcSegment, index: int, settings: SpcSettings
) -> list[SpcPoint]:
    """Label each point of one segment with at most one special cause, in precedence order."""
    values = [value for _, value in series]
    count = len(values)
    moving_ranges: list[Decimal | None] = [None, *_moving_ranges(values)]
    # label[i] = (rule, side) of the first rule that flags point i; side +1 high, -1 low.
    labels: list[tuple[str, int] | None] = [None] * count

    if segment.has_limits:
        assert segment.upper_limit is not None and segment.lower_limit is not None
        assert segment.near_upper is not None and segment.near_lower is not None
        mean = segment.mean
        sides = [_sign(value - mean) for value in values]
        beyond = [v > segment.upper_limit or v < segment.lower_limit for v in values]
        near = [
            not beyond[i] and (values[i] > segment.near_upper or values[i] < segment.near_lower)
            for i in range(count)
        ]

        # 1. Beyond a process limit.
        for i in range(count):
            if beyond[i]:
                labels[i] = (BEYOND_LIMITS, sides[i])

        # 2. Trend: trend_length points each strictly higher (or lower) than the one before.
        # A run of n points is n - 1 steps of the same sign; an equal value (step 0) breaks it.
        # Later runs are applied last, so a turning point takes the later trend's direction.
        trend: dict[int, int] = {}
        steps = [_sign(values[i + 1] - values[i]) for i in range(count - 1)]
        for first_step, last_step, direction in _runs(steps):
            if last_step - first_step + 2 >= settings.trend_length:
                for i in range(first_step, last_step + 2):
                    trend[i] = direction
        for i, direction in trend.items():
            if labels[i] is None:
                labels[i] = (TREND, direction)

        # 3. Two of three consecutive points in the near-limit band, all three on the same
        # side of the mean; only the near-limit points are flagged.
        for first in range(count - 2):
            window = range(first, first + 3)
            same_side = sides[first] != 0 and all(sides[i] == sides[first] for i in window)
            if same_side and sum(near[i] for i in window) >= 2:
                for i in window:
                    if near[i] and labels[i] is None:
                        labels[i] = (TWO_OF_THREE, sides[i])

        # 4. Shift: shift_length points in a row on the same side of the mean (a point on the
        # mean breaks the run).
        for first, last, side in _runs(sides):
            if last - first + 1 >= settings.shift_length:
                for i in range(first, last + 1):
                    if labels[i] is None:
                        labels[i] = (SHIFT, side)

    points = []
    for i, (period, value) in enumerate(series):
        label = labels[i]
        point_type = COMMON_CAUSE if label is None else _point_type(label[1], settings)
        points.append(
            SpcPoint(
                period=period,
                value=value,
                mean=segment.mean,
                upper_limit=segment.upper_limit,
                lower_limit=segment.lower_limit,
                near_upper=segment.near_upper,
                near_lower=segment.near_lower,
                moving_range=moving_ranges[i],
                special_cause=None if label is None else label[0],
                point_type=point_type,
                colour=POINT_COLOURS[point_type],
                segment=index,
            )
        )
    return points


def _point_type(side: int, settings: SpcSettings) -> str:
    """The type of a special-cause point on the high (+1) or low (-1) side."""
    high = side > 0
    if settings.improvement_direction == NEUTRAL:
        return NEUTRAL_HIGH if high else NEUTRAL_LOW
    improving = high == (settings.improvement_direction == INCREASE)
    if improving:
        return IMPROVEMENT_HIGH if high else IMPROVEMENT_LOW
    return CONCERN_HIGH if high else CONCERN_LOW


def _assurance(segment: SpcSegment, settings: SpcSettings) -> str | None:
    """Whether the process, as the latest limits describe it, will meet the target.

    Higher is better: a target above the upper limit will consistently fail, below the lower
    limit consistently pass, otherwise hit and miss (a target on a limit is hit and miss).
    Mirrored when lower is better.
    """
    target = settings.target
    if target is None or settings.improvement_direction == NEUTRAL or not segment.has_limits:
        return None
    assert segment.upper_limit is not None and segment.lower_limit is not None
    higher_is_better = settings.improvement_direction == INCREASE
    if target > segment.upper_limit:
        return CONSISTENTLY_FAIL if higher_is_better else CONSISTENTLY_PASS
    if target < segment.lower_limit:
        return CONSISTENTLY_PASS if higher_is_better else CONSISTENTLY_FAIL
    return HIT_AND_MISS
