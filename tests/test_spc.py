"""SPC (XmR charts as NHS boards read them) against worked examples computed by hand.

Conventions in the worked examples: MR = moving range, AMR = average moving range,
UPL / LPL = upper / lower process limit = mean +/- 2.66 x AMR, and the near-limit band lies
beyond mean +/- 2/3 x 2.66 x AMR (but not beyond the limit). Monthly points start in April 2022.

Most examples that look at later points fix the limits on this 12-point baseline:

    BASELINE = 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9        (Apr 2022 - Mar 2023)
    mean = (6 x 11 + 6 x 9) / 12 = 120 / 12 = 10
    MR   = 2 eleven times, so AMR = 22 / 11 = 2
    UPL  = 10 + 2.66 x 2 = 15.32          LPL = 10 - 5.32 = 4.68
    near band: 2/3 x 5.32 = 3.5466...,  so above 13.5466... or below 6.4533...
    The baseline alternates either side of the mean and ends on 9 (below the mean).
"""

import xml.etree.ElementTree as ElementTree
from datetime import date
from decimal import Decimal

import pytest

from kvi.charts import (
    assurance_icon_svg,
    format_value,
    period_label,
    variation_icon_svg,
    xmr_chart_svg,
)
from kvi.spc import (
    COLOUR_COMMON_CAUSE,
    COLOUR_CONCERN,
    COLOUR_IMPROVEMENT,
    COLOUR_NEUTRAL,
    SpcResult,
    SpcSettings,
    calculate_spc,
)

SVG = "{http://www.w3.org/2000/svg}"
BASELINE = [11, 9] * 6
NEAR_UPPER = Decimal("10") + Decimal("5.32") * 2 / 3  # 13.5466...
NEAR_LOWER = Decimal("10") - Decimal("5.32") * 2 / 3  # 6.4533...


def month(index: int) -> date:
    """The index-th month from April 2022 (0 = Apr 2022, 12 = Apr 2023)."""
    return date(2022 + (3 + index) // 12, (3 + index) % 12 + 1, 1)


def monthly(values) -> list[tuple[date, Decimal]]:
    return [(month(i), Decimal(str(value))) for i, value in enumerate(values)]


def spc(values, direction: str = "increase", **settings) -> SpcResult:
    return calculate_spc(monthly(values), SpcSettings(direction, **settings))


def labels(result: SpcResult) -> list[str | None]:
    return [point.special_cause for point in result.points]


def types(result: SpcResult) -> list[str]:
    return [point.point_type for point in result.points]


# --- Limits ---------------------------------------------------------------------------------


def test_baseline_limits_by_hand():
    result = spc(BASELINE)
    (segment,) = result.segments
    assert segment.mean == Decimal("10")
    assert segment.average_moving_range == Decimal("2")
    assert segment.upper_limit == Decimal("15.32")
    assert segment.lower_limit == Decimal("4.68")
    assert segment.near_upper == NEAR_UPPER
    assert segment.near_lower == NEAR_LOWER
    assert segment.trial_limits is False  # 12 points
    assert result.trial_limits is False
    assert [point.moving_range for point in result.points] == [None] + [Decimal("2")] * 11
    assert set(types(result)) == {"common_cause"}
    assert {point.colour for point in result.points} == {COLOUR_COMMON_CAUSE}
    assert result.variation_icon == "common_cause"


# --- Rule 1: beyond a process limit -------------------------------------------------------


def test_point_beyond_the_upper_limit():
    # 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 22 (11 points, all in the baseline)
    # mean = (5 x 10 + 5 x 12 + 22) / 11 = 132 / 11 = 12
    # MR: nine of |12 - 10| = 2, then |22 - 12| = 10; AMR = (18 + 10) / 10 = 2.8
    # UPL = 12 + 2.66 x 2.8 = 12 + 7.448 = 19.448;  LPL = 12 - 7.448 = 4.552
    # 22 > 19.448: beyond the upper limit. The 12s sit exactly on the mean, which breaks any
    # shift; 10 and 12 are inside 12 +/- 4.9653 (no near-limit points); no trend.
    values = [10, 12] * 5 + [22]
    result = spc(values)
    (segment,) = result.segments
    assert segment.mean == Decimal("12")
    assert segment.average_moving_range == Decimal("2.8")
    assert segment.upper_limit == Decimal("19.448")
    assert segment.lower_limit == Decimal("4.552")
    assert labels(result) == [None] * 10 + ["beyond_limits"]
    latest = result.points[-1]
    assert latest.point_type == "improvement_high"
    assert latest.colour == COLOUR_IMPROVEMENT
    assert latest.upper_limit == Decimal("19.448")
    assert result.variation_icon == "improvement_high"
    # 11 points: trial limits.
    assert segment.trial_limits is True
    assert result.trial_limits is True

    # Lower is better: the same point is a concern.
    concern = spc(values, "decrease")
    assert concern.points[-1].point_type == "concern_high"
    assert concern.points[-1].colour == COLOUR_CONCERN
    assert concern.variation_icon == "concern_high"


def test_point_beyond_the_lower_limit():
    # BASELINE fixed, then 4 < LPL 4.68.
    result = spc(BASELINE + [4], baseline_points=12)
    assert labels(result) == [None] * 12 + ["beyond_limits"]
    assert result.variation_icon == "concern_low"
    assert result.points[-1].colour == COLOUR_CONCERN
    assert spc(BASELINE + [4], "decrease", baseline_points=12).variation_icon == "improvement_low"
    # 4.68 itself is on the limit, not beyond it; it is in the near-limit band (one point only).
    assert labels(spc(BASELINE + ["4.68"], baseline_points=12))[-1] is None


# --- Rule 4: shift ------------------------------------------------------------------------


def test_shift_of_seven_above_the_mean():
    # 5, 10, 5, 10, 5, 10, 5, then 10, 10, 11, 12, 12, 11, 10 (14 points)
    # mean = (4 x 5 + 3 x 10 + 10 + 10 + 11 + 12 + 12 + 11 + 10) / 14 = (50 + 76) / 14 = 9
    # MR: six of 5 in the first seven, |10 - 5| = 5, then 0, 1, 1, 0, 1, 1
    #     AMR = (30 + 5 + 4) / 13 = 39 / 13 = 3
    # UPL = 9 + 2.66 x 3 = 16.98; LPL = 1.02; near band 9 +/- 5.32 (14.32 and 3.68): none near.
    # The first seven alternate below/above 9 and end below it; the last seven are all above
    # 9: a run of exactly 7 on one side, a shift. The equal neighbours rule out any trend.
    values = [5, 10, 5, 10, 5, 10, 5, 10, 10, 11, 12, 12, 11, 10]
    result = spc(values)
    (segment,) = result.segments
    assert segment.mean == Decimal("9")
    assert segment.average_moving_range == Decimal("3")
    assert segment.upper_limit == Decimal("16.98")
    assert segment.lower_limit == Decimal("1.02")
    assert segment.near_upper == Decimal("14.32")
    assert labels(result) == [None] * 7 + ["shift"] * 7
    assert types(result) == ["common_cause"] * 7 + ["improvement_high"] * 7
    assert result.variation_icon == "improvement_high"
    assert types(spc(values, "decrease"))[7:] == ["concern_high"] * 7
    # With a run length of 8 the same seven points are common cause.
    assert labels(spc(values, shift_length=8)) == [None] * 14


def test_a_point_on_the_mean_breaks_a_shift():
    # BASELINE fixed (mean 10), then 11, 12, 11, 12, 10, 11, 12, 11, 12: four above, one on
    # the mean, four above. Nothing near the limit (12 < 13.5466), no trend.
    broken = spc(BASELINE + [11, 12, 11, 12, 10, 11, 12, 11, 12], baseline_points=12)
    assert labels(broken) == [None] * 21
    # Seven above in a row is a shift.
    shift = spc(BASELINE + [11, 12, 11, 12, 11, 12, 11], baseline_points=12)
    assert labels(shift) == [None] * 12 + ["shift"] * 7


# --- Rule 2: trend ------------------------------------------------------------------------


def test_trend_of_seven_increasing():
    # 6, 12, 6, 12, 6, 12, then 4, 5, 7, 9, 11, 13, 14 (13 points)
    # mean = (3 x 6 + 3 x 12 + 4 + 5 + 7 + 9 + 11 + 13 + 14) / 13 = (54 + 63) / 13 = 9
    # MR: five of 6, |4 - 12| = 8, then 1, 2, 2, 2, 2, 1; AMR = (30 + 8 + 10) / 12 = 4
    # UPL = 9 + 2.66 x 4 = 19.64; LPL = -1.64; near band 9 +/- 7.0933: nothing near.
    # 4 < 5 < 7 < 9 < 11 < 13 < 14: seven points each higher than the one before.
    # Sides of the mean: three below, one on it, three above, so no shift.
    values = [6, 12, 6, 12, 6, 12, 4, 5, 7, 9, 11, 13, 14]
    result = spc(values)
    (segment,) = result.segments
    assert segment.mean == Decimal("9")
    assert segment.average_moving_range == Decimal("4")
    assert segment.upper_limit == Decimal("19.64")
    assert segment.lower_limit == Decimal("-1.64")
    assert labels(result) == [None] * 6 + ["trend"] * 7
    # An increasing trend is "high" by its direction, even for 4, 5 and 7 below the mean and
    # the 9 on it (as NHS England's tool and NHSRplotthedots colour trends).
    assert types(result) == ["common_cause"] * 6 + ["improvement_high"] * 7
    assert result.variation_icon == "improvement_high"


def test_trend_of_seven_decreasing_is_low_even_above_the_mean():
    # The mirror image, 20 - y: 14, 8, 14, 8, 14, 8, 16, 15, 13, 11, 9, 7, 6
    # mean = 20 - 9 = 11, AMR = 4 (same moving ranges), UPL = 21.64, LPL = 0.36.
    values = [14, 8, 14, 8, 14, 8, 16, 15, 13, 11, 9, 7, 6]
    result = spc(values)
    assert result.segments[0].mean == Decimal("11")
    assert result.segments[0].upper_limit == Decimal("21.64")
    assert labels(result) == [None] * 6 + ["trend"] * 7
    # 16, 15 and 13 are above the mean, but the trend is downwards: concern, low.
    assert types(result)[6:] == ["concern_low"] * 7
    assert types(spc(values, "decrease"))[6:] == ["improvement_low"] * 7


def test_an_equal_value_breaks_a_trend():
    # BASELINE fixed (ends on 9), then 8, 9, 10, 10, 11, 12, 13: rising, but 10 = 10 breaks
    # the run into 8, 9, 10 (three points) and 10, 11, 12, 13 (four). Sides of the mean 10:
    # below, below, on, on, above x 3: no shift. 13 < 13.5466 and 8 > 6.4533: nothing near.
    result = spc(BASELINE + [8, 9, 10, 10, 11, 12, 13], baseline_points=12)
    assert labels(result) == [None] * 19
    # Without the repeat, 8, 9, 10, 11, 12, 13, 13.5 is a trend of seven.
    rising = spc(BASELINE + [8, 9, 10, 11, 12, 13, "13.5"], baseline_points=12)
    assert labels(rising) == [None] * 12 + ["trend"] * 7


def test_trend_length_is_a_setting():
    # BASELINE fixed, then 8, 9, 10, 11, 12, 13, 13: six rising points (8 to 13), then an
    # equal value. Not a trend of seven; a trend of six when the setting says 6.
    values = BASELINE + [8, 9, 10, 11, 12, 13, 13]
    assert labels(spc(values, baseline_points=12)) == [None] * 19
    six = spc(values, baseline_points=12, trend_length=6)
    assert labels(six) == [None] * 12 + ["trend"] * 6 + [None]


# --- Rule 3: two of three near a limit ------------------------------------------------------


def test_two_of_three_near_the_upper_limit():
    # BASELINE fixed, then 14, 11, 14. 13.5466 < 14 < 15.32: both 14s are in the near band.
    # The window (14, 11, 14) is all above the mean 10 with two near points: flag the two 14s,
    # not the 11. The window (9, 14, 11) starts below the mean. Three above: no shift.
    result = spc(BASELINE + [14, 11, 14], baseline_points=12)
    assert labels(result) == [None] * 12 + ["two_of_three", None, "two_of_three"]
    assert types(result)[12:] == ["improvement_high", "common_cause", "improvement_high"]
    assert result.variation_icon == "improvement_high"


def test_two_of_three_needs_all_three_points_on_the_same_side():
    # 14, 14, 9: two near points in a row, but every window of three that holds both also
    # holds a 9, below the mean: (9, 14, 14) and (14, 14, 9). Nothing is flagged.
    assert labels(spc(BASELINE + [14, 14, 9], baseline_points=12)) == [None] * 15
    # 14, 9, 14: the middle point is on the other side of the mean.
    assert labels(spc(BASELINE + [14, 9, 14], baseline_points=12)) == [None] * 15


def test_two_of_three_near_the_lower_limit_when_lower_is_better():
    # BASELINE fixed, then 6, 9, 6: 4.68 < 6 < 6.4533, and 9 is below the mean too.
    result = spc(BASELINE + [6, 9, 6], "decrease", baseline_points=12)
    assert labels(result) == [None] * 12 + ["two_of_three", None, "two_of_three"]
    assert result.variation_icon == "improvement_low"
    assert result.points[-1].colour == COLOUR_IMPROVEMENT


# --- Precedence -----------------------------------------------------------------------------


def test_beyond_limits_takes_precedence_over_trend_which_takes_precedence_over_the_rest():
    # BASELINE fixed (ends on 9), then 9.5, 10.5, 11, 12, 13.6, 14, 15, 16.
    # Trend: 9 (the last baseline point), 9.5, ..., 16: nine points, each higher than the last.
    # 16 > 15.32: beyond the limit, and that label wins over the trend.
    # 13.6, 14 and 15 are in the near band (two of three) and 10.5 ... 16 are seven above the
    # mean (a shift), but the trend comes first.
    result = spc(BASELINE + ["9.5", "10.5", 11, 12, "13.6", 14, 15, 16], baseline_points=12)
    assert labels(result) == [None] * 11 + ["trend"] * 8 + ["beyond_limits"]
    assert set(types(result)[11:]) == {"improvement_high"}


def test_two_of_three_takes_precedence_over_shift():
    # BASELINE fixed, then 11, 12, 11, 14, 11, 14, 11: seven above the mean (a shift), with
    # the two 14s near the limit in the window (14, 11, 14).
    result = spc(BASELINE + [11, 12, 11, 14, 11, 14, 11], baseline_points=12)
    assert labels(result)[12:] == [
        "shift",
        "shift",
        "shift",
        "two_of_three",
        "shift",
        "two_of_three",
        "shift",
    ]


# --- Assurance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        # Higher is better; limits 4.68 to 15.32.
        ("increase", "16", "consistently_fail"),  # above the upper limit
        ("increase", "4", "consistently_pass"),  # below the lower limit
        ("increase", "10", "hit_and_miss"),  # between the limits
        ("increase", "15.32", "hit_and_miss"),  # on a limit
        # Lower is better: mirrored.
        ("decrease", "16", "consistently_pass"),
        ("decrease", "4", "consistently_fail"),
        ("decrease", "10", "hit_and_miss"),
        ("decrease", "4.68", "hit_and_miss"),
    ],
)
def test_assurance(direction, target, assurance):
    result = spc(BASELINE, direction, target=Decimal(target))
    assert result.assurance_icon == assurance
    assert result.target == Decimal(target)


def test_no_assurance_without_a_target_or_with_a_neutral_direction():
    assert spc(BASELINE, "increase").assurance_icon is None
    assert spc(BASELINE, "neutral", target=Decimal("16")).assurance_icon is None


# --- Neutral direction ----------------------------------------------------------------------


def test_neutral_direction_colours_special_causes_purple():
    high = spc([10, 12] * 5 + [22], "neutral")  # as in test_point_beyond_the_upper_limit
    assert high.points[-1].point_type == "neutral_high"
    assert high.points[-1].colour == COLOUR_NEUTRAL
    assert high.variation_icon == "neutral_high"
    assert {point.colour for point in high.points[:-1]} == {COLOUR_COMMON_CAUSE}
    low = spc(BASELINE + [4], "neutral", baseline_points=12)
    assert low.variation_icon == "neutral_low"
    assert low.points[-1].colour == COLOUR_NEUTRAL


# --- Fixed baseline -------------------------------------------------------------------------


def test_fixed_baseline_judges_later_points_against_its_limits():
    # BASELINE fixed (mean 10, AMR 2, limits 4.68 and 15.32), then 12, 16, 8, 3.
    # Their moving ranges (3, 4, 8, 5) are shown but do not change AMR.
    # 16 > 15.32: beyond, improvement. 3 < 4.68: beyond, concern.
    values = BASELINE + [12, 16, 8, 3]
    result = spc(values, baseline_points=12)
    (segment,) = result.segments
    assert (segment.baseline_count, segment.point_count) == (12, 16)
    assert segment.mean == Decimal("10")
    assert segment.average_moving_range == Decimal("2")
    assert {point.upper_limit for point in result.points} == {Decimal("15.32")}
    assert {point.lower_limit for point in result.points} == {Decimal("4.68")}
    assert [point.moving_range for point in result.points[12:]] == [
        Decimal("3"),
        Decimal("4"),
        Decimal("8"),
        Decimal("5"),
    ]
    assert labels(result)[12:] == [None, "beyond_limits", None, "beyond_limits"]
    assert types(result)[12:] == ["common_cause", "improvement_high", "common_cause", "concern_low"]

    # With limits from all 16 points: mean = (120 + 12 + 16 + 8 + 3) / 16 = 159 / 16 = 9.9375,
    # AMR = (22 + 3 + 4 + 8 + 5) / 15 = 42 / 15 = 2.8, UPL = 9.9375 + 7.448 = 17.3855 and
    # LPL = 2.4895: neither 16 nor 3 is beyond them, and no other rule applies.
    floating = spc(values)
    assert floating.segments[0].mean == Decimal("9.9375")
    assert floating.segments[0].average_moving_range == Decimal("2.8")
    assert floating.segments[0].upper_limit == Decimal("17.3855")
    assert labels(floating) == [None] * 16


def test_fixed_baseline_longer_than_the_series_uses_every_point_as_trial_limits():
    result = spc(BASELINE[:8], baseline_points=12)
    assert result.segments[0].baseline_count == 8
    assert result.trial_limits is True


def test_a_baseline_of_fewer_than_twelve_points_is_refused():
    with pytest.raises(ValueError, match="12"):
        SpcSettings("increase", baseline_points=11)
    assert SpcSettings("increase", baseline_points=12).baseline_points == 12


# --- Outlier screening ----------------------------------------------------------------------


def test_outlier_screening_drops_large_moving_ranges_from_the_average():
    # 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 33 (11 points)
    # mean = (50 + 60 + 33) / 11 = 143 / 11 = 13
    # MR: nine of 2, then |33 - 12| = 21; AMR = (18 + 21) / 10 = 3.9
    # Unscreened: limits 13 +/- 2.66 x 3.9 = 13 +/- 10.374 -> 23.374 and 2.626.
    # Screening: 3.267 x 3.9 = 12.7413; 21 >= 12.7413 is dropped, 2 is kept.
    #   AMR = 18 / 9 = 2; limits 13 +/- 5.32 -> 18.32 and 7.68.
    values = [10, 12] * 5 + [33]
    unscreened = spc(values)
    assert unscreened.segments[0].average_moving_range == Decimal("3.9")
    assert unscreened.segments[0].upper_limit == Decimal("23.374")
    assert unscreened.segments[0].lower_limit == Decimal("2.626")
    assert unscreened.segments[0].screened_moving_ranges == 0

    screened = spc(values, screen_outliers=True)
    (segment,) = screened.segments
    assert segment.mean == Decimal("13")
    assert segment.average_moving_range == Decimal("2")
    assert segment.upper_limit == Decimal("18.32")
    assert segment.lower_limit == Decimal("7.68")
    assert segment.screened_moving_ranges == 1
    # The point's own moving range is still shown.
    assert screened.points[-1].moving_range == Decimal("21")
    assert screened.points[-1].special_cause == "beyond_limits"


def test_outlier_screening_is_off_by_default_and_leaves_steady_series_alone():
    assert SpcSettings("increase").screen_outliers is False
    steady = spc(BASELINE, screen_outliers=True)
    assert steady.segments[0].average_moving_range == Decimal("2")
    assert steady.segments[0].screened_moving_ranges == 0


# --- Rebasing -------------------------------------------------------------------------------


def test_rebasing_starts_new_limits():
    # 9, 11, 9, 11, 9, 11 (Apr - Sep 2022), rebased in October, then 19, 21, 19, 21, 19, 21.
    # Segment 1: mean 10, MR five of 2, AMR 2, limits 4.68 and 15.32.
    # Segment 2: mean 20, AMR 2, limits 14.68 and 25.32. The jump 11 -> 19 is not a moving
    # range of either segment. Six points each: trial limits.
    values = [9, 11] * 3 + [19, 21] * 3
    result = spc(values, rebase_at=[date(2022, 10, 1)], target=Decimal("16"))
    first, second = result.segments
    assert (first.start, first.end, first.point_count) == (date(2022, 4, 1), date(2022, 9, 1), 6)
    assert (second.start, second.end, second.point_count) == (date(2022, 10, 1), month(11), 6)
    assert (first.mean, first.average_moving_range) == (Decimal("10"), Decimal("2"))
    assert (first.lower_limit, first.upper_limit) == (Decimal("4.68"), Decimal("15.32"))
    assert (second.mean, second.average_moving_range) == (Decimal("20"), Decimal("2"))
    assert (second.lower_limit, second.upper_limit) == (Decimal("14.68"), Decimal("25.32"))
    assert [point.segment for point in result.points] == [0] * 6 + [1] * 6
    assert result.points[6].moving_range is None
    assert result.points[6].mean == Decimal("20")
    assert labels(result) == [None] * 12
    assert first.trial_limits and second.trial_limits and result.trial_limits
    # Assurance uses the latest limits: 16 is within 14.68 - 25.32 (hit and miss), although it
    # is above the first segment's upper limit of 15.32.
    assert result.assurance_icon == "hit_and_miss"

    # Without the rebase there is one segment and 11 -> 19 is a moving range of 8.
    single = spc(values)
    assert len(single.segments) == 1
    assert single.points[6].moving_range == Decimal("8")


def test_rebase_dates_between_periods_or_outside_the_series():
    values = [9, 11] * 3 + [19, 21] * 3
    # Mid-September: the new segment starts at the first point on or after it (October).
    mid_month = spc(values, rebase_at=[date(2022, 9, 15)])
    assert [segment.start for segment in mid_month.segments] == [date(2022, 4, 1), month(6)]
    # On or before the first point, or after the last: nothing to split.
    outside = spc(values, rebase_at=[date(2022, 4, 1), date(2021, 1, 1), date(2030, 1, 1)])
    assert len(outside.segments) == 1


# --- Short and invalid series ---------------------------------------------------------------


def test_empty_series():
    result = spc([], target=Decimal("5"))
    assert result.points == []
    assert result.segments == []
    assert result.variation_icon is None
    assert result.assurance_icon is None
    assert result.trial_limits is False


def test_one_or_two_points_have_a_mean_but_no_limits_and_are_common_cause():
    # Documented behaviour: a segment needs three points (two moving ranges) for limits.
    one = spc([5], target=Decimal("4"))
    (point,) = one.points
    assert point.mean == Decimal("5")
    assert point.upper_limit is point.lower_limit is point.near_upper is point.near_lower is None
    assert point.moving_range is None
    assert point.point_type == "common_cause"
    assert one.variation_icon == "common_cause"
    assert one.assurance_icon is None  # no limits to judge the target against
    assert one.segments[0].has_limits is False
    assert one.trial_limits is False

    two = spc([5, 9], target=Decimal("4"))
    assert [p.moving_range for p in two.points] == [None, Decimal("4")]
    assert two.segments[0].mean == Decimal("7")
    assert two.segments[0].upper_limit is None
    assert types(two) == ["common_cause", "common_cause"]
    assert two.assurance_icon is None

    # Three points: trial limits. 10, 12, 14: mean 12, AMR 2, limits 6.68 and 17.32.
    three = spc([10, 12, 14])
    assert three.segments[0].upper_limit == Decimal("17.32")
    assert three.segments[0].lower_limit == Decimal("6.68")
    assert three.trial_limits is True


def test_invalid_input_is_refused():
    with pytest.raises(ValueError, match="order"):
        calculate_spc(
            [(date(2022, 5, 1), Decimal(1)), (date(2022, 4, 1), Decimal(2))],
            SpcSettings("increase"),
        )
    with pytest.raises(ValueError, match="order"):
        calculate_spc(
            [(date(2022, 4, 1), Decimal(1)), (date(2022, 4, 1), Decimal(2))],
            SpcSettings("increase"),
        )
    with pytest.raises(TypeError):
        calculate_spc([(date(2022, 4, 1), 1.5)], SpcSettings("increase"))
    with pytest.raises(ValueError, match="direction"):
        SpcSettings("up")
    with pytest.raises(ValueError, match="trend_length"):
        SpcSettings("increase", trend_length=1)
    with pytest.raises(TypeError):
        SpcSettings("increase", target=5.0)


# --- Charts ---------------------------------------------------------------------------------


def parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def markers(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [
        element for element in root.iter() if element.get("class", "").split(" ")[0] == "spc-point"
    ]


def texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_chart_svg_is_an_accessible_image_with_one_marker_per_point():
    values = BASELINE + [12, 16, 8, 3]
    result = spc(values, baseline_points=12, target=Decimal("12"))
    svg = xmr_chart_svg(result, title="Local spend", unit="%")
    root = parse(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Local spend"
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # The description summarises the latest value, variation and assurance.
    assert "Latest value 3% in Jul 2023" in desc.text
    assert "Variation: special cause variation of a concerning nature, lower values" in desc.text
    assert "hit and miss" in desc.text or "at random" in desc.text
    assert "process limits 4.68% to 15.32%" in desc.text

    found = markers(root)
    assert len(found) == len(values)
    # Shape per class: common cause circle, improvement square, concern triangle.
    assert found[0].tag == f"{SVG}circle"
    assert found[13].tag == f"{SVG}rect"  # 16, beyond the upper limit
    assert found[15].tag == f"{SVG}polygon"  # 3, beyond the lower limit
    assert found[13].get("fill") == COLOUR_IMPROVEMENT
    assert found[15].get("fill") == COLOUR_CONCERN
    assert found[13].find(f"{SVG}title").text.startswith("May 2023: 16%")

    # Mean solid, limits dashed, target with its own dash; axis labels.
    lines = {element.get("class"): element for element in root.iter(f"{SVG}line")}
    assert lines["spc-mean"].get("stroke-dasharray") is None
    assert lines["spc-limit"].get("stroke-dasharray")
    assert lines["spc-target"].get("stroke-dasharray")
    assert lines["spc-target"].get("stroke-dasharray") != lines["spc-limit"].get("stroke-dasharray")
    labels_shown = texts(root)
    assert "Apr 2022" in labels_shown and "Jul 2023" in labels_shown
    assert "3%" in labels_shown and "16%" in labels_shown  # y-axis minimum and maximum
    # Self-contained: no scripts, no links to other resources, no styles to fetch.
    assert "<script" not in svg and "href" not in svg and "url(" not in svg


def test_chart_without_target_has_no_target_line():
    root = parse(xmr_chart_svg(spc(BASELINE), title="Flu vaccination", unit="%"))
    classes = {element.get("class") for element in root.iter(f"{SVG}line")}
    assert "spc-target" not in classes
    assert {"spc-mean", "spc-limit"} <= classes


def test_chart_escapes_text():
    title = 'Spend <with> "local" & SME firms'
    svg = xmr_chart_svg(spc(BASELINE), title=title, unit="<&>")
    root = parse(svg)
    assert root.find(f"{SVG}title").text == title
    assert "<with>" not in svg
    assert "&lt;with&gt;" in svg


def test_chart_of_an_empty_series_and_of_one_point():
    empty = parse(xmr_chart_svg(spc([]), title="Nothing yet", unit="%"))
    assert markers(empty) == []
    assert "No figures" in empty.find(f"{SVG}desc").text
    one = parse(xmr_chart_svg(spc([5], target=Decimal("6")), title="One", unit="people"))
    assert len(markers(one)) == 1
    assert "too few points for process limits" in one.find(f"{SVG}desc").text
    assert "Apr 2022" in texts(one)
    flat = parse(xmr_chart_svg(spc([5, 5, 5]), title="Flat", unit="£"))
    assert len(markers(flat)) == 3


def test_charts_on_one_page_get_distinct_ids():
    a = parse(xmr_chart_svg(spc(BASELINE), title="A", unit="%"))
    b = parse(xmr_chart_svg(spc(BASELINE), title="B", unit="%"))
    c = parse(xmr_chart_svg(spc(BASELINE), title="A", unit="%", chart_id="kvi-7"))
    assert a.find(f"{SVG}title").get("id") != b.find(f"{SVG}title").get("id")
    assert c.find(f"{SVG}title").get("id") == "kvi-7-title"


@pytest.mark.parametrize(
    ("icon", "letter"),
    [
        ("common_cause", "C"),
        ("improvement_high", "H"),
        ("improvement_low", "L"),
        ("concern_high", "H"),
        ("concern_low", "L"),
        ("neutral_high", "H"),
        ("neutral_low", "L"),
    ],
)
def test_variation_icons(icon, letter):
    root = parse(variation_icon_svg(icon))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text
    assert root.find(f"{SVG}text").text == letter


@pytest.mark.parametrize(
    ("icon", "letter"),
    [("consistently_pass", "P"), ("consistently_fail", "F"), ("hit_and_miss", "?")],
)
def test_assurance_icons(icon, letter):
    root = parse(assurance_icon_svg(icon))
    assert root.find(f"{SVG}title").text.startswith("Assurance")
    assert root.find(f"{SVG}text").text == letter


def test_missing_and_unknown_icons():
    assert variation_icon_svg(None) == ""
    assert assurance_icon_svg(None) == ""
    with pytest.raises(ValueError):
        variation_icon_svg("special")
    with pytest.raises(ValueError):
        assurance_icon_svg("pass")


def test_value_and_period_formatting():
    assert period_label(date(2022, 4, 1)) == "Apr 2022"
    assert format_value(Decimal("13.09"), "%") == "13.09%"
    assert format_value(Decimal("19.448"), "%") == "19.45%"
    assert format_value(Decimal("1234.5"), "£") == "£1,234.50"
    assert format_value(Decimal("-2"), "£") == "-£2"
    assert format_value(Decimal("12"), "people") == "12 people"
    assert format_value(Decimal("12"), "count") == "12"


def test_chart_and_icons_render_in_weasyprint(caplog):
    weasyprint = pytest.importorskip("weasyprint")
    result = spc(BASELINE + [12, 16, 8, 3], baseline_points=12, target=Decimal("12"))
    html = (
        "<html><body>"
        + xmr_chart_svg(result, title="Local spend", unit="%")
        + variation_icon_svg(result.variation_icon)
        + assurance_icon_svg(result.assurance_icon)
        + "</body></html>"
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    problems = [record.getMessage() for record in caplog.records if record.levelno >= 30]
    assert problems == []
