"""On-track status of KVIs against their target trajectory (kvi/status.py): worked examples
computed by hand. Pure: the KVIs and metrics are unsaved model instances."""

from datetime import date
from decimal import Decimal as D

import pytest

from kvi.models import Aggregation, Direction, Kvi, Metric, Unit
from kvi.status import KviStatus, due_date, kvi_status, trajectory_value

ON, RISK, OFF = KviStatus.ON_TRACK, KviStatus.AT_RISK, KviStatus.OFF_TRACK


def make_kvi(
    *,
    target=None,
    target_year="",
    target_date=None,
    baseline=None,
    baseline_period=None,
    direction=Direction.INCREASE,
    aggregation=Aggregation.RATIO,
    unit=Unit.PERCENT,
) -> Kvi:
    metric = Metric(code="M", unit=unit, direction=direction, aggregation=aggregation)
    return Kvi(
        metric=metric,
        code="K",
        title="KVI",
        frequency="monthly",
        target_value=None if target is None else D(target),
        target_financial_year=target_year,
        target_date=target_date,
        baseline_value=None if baseline is None else D(baseline),
        baseline_period=baseline_period,
    )


def test_wirral_local_spend_18_percent_target_13_09_year_to_date_is_off_track():
    # No baseline: the target applies all year. Expected 18; tolerance 10% of 18 = 1.8;
    # 13.09 is 4.91 short, more than 1.8: off track.
    kvi = make_kvi(target="18", target_year="2022/23")
    result = kvi_status(kvi, figure=D("13.09"), as_of=date(2022, 9, 30))
    assert result.status == OFF
    assert result.label == "Off track"
    assert result.tag_colour == "red"
    assert result.expected == D("18")
    assert result.figure == D("13.09")


@pytest.mark.parametrize(
    ("figure", "status"),
    [("16.2", RISK), ("16.5", RISK), ("16.19", OFF), ("18", ON), ("18.2", ON)],
)
def test_no_baseline_band_is_ten_percent_of_the_target(figure, status):
    kvi = make_kvi(target="18", target_year="2022/23")
    assert kvi_status(kvi, figure=D(figure), as_of=date(2022, 9, 30)).status == status


def test_flu_vaccination_90_percent_target_72_percent_is_off_track():
    # No baseline: expected 90, tolerance 9; 72 is 18 short.
    kvi = make_kvi(target="90", target_year="2022/23")
    result = kvi_status(kvi, figure=D("72"), as_of=date(2022, 12, 31))
    assert (result.status, result.expected) == (OFF, D("90"))


@pytest.mark.parametrize(("figure", "status"), [("81", ON), ("80", RISK), ("79", OFF)])
def test_flu_vaccination_from_a_72_percent_baseline_follows_a_straight_line(figure, status):
    # Baseline 72 on 1 April 2022, target 90 due 10 July 2022 (100 days later). On 21 May
    # (50 days in) the line reads 72 + 18 x 50/100 = 81. Tolerance 10% of (90 - 72) = 1.8.
    kvi = make_kvi(
        target="90", target_date=date(2022, 7, 10), baseline="72", baseline_period=date(2022, 4, 1)
    )
    result = kvi_status(kvi, figure=D(figure), as_of=date(2022, 5, 21))
    assert result.expected == D("81")
    assert result.status == status


def test_disability_5_percent_target_from_4_09_is_at_risk_at_4_76():
    # Baseline 4.09 (2021/22, from 1 April 2021); target 5 by 31 March 2023 (729 days).
    # 30 September 2022 is 547 days in: 4.09 + 0.91 x 547/729 = 4.772812 (to 6 places).
    # Tolerance 10% of 0.91 = 0.091; 4.76 is 0.012812 short: at risk.
    kvi = make_kvi(
        target="5", target_year="2022/23", baseline="4.09", baseline_period=date(2021, 4, 1)
    )
    result = kvi_status(kvi, figure=D("4.76"), as_of=date(2022, 9, 30))
    assert result.expected == D("4.772812")
    assert (result.status, result.tag_colour) == (RISK, "yellow")


@pytest.mark.parametrize(
    ("figure", "status"), [("890", ON), ("900", ON), ("915", RISK), ("925", OFF)]
)
def test_lower_is_better_mirrors_the_rule(figure, status):
    # Carbon: baseline 1,000 tCO2e on 1 April 2022, target 800 due 10 July 2022 (100 days).
    # On 21 May the line reads 900; tolerance 10% of 200 = 20; above 920 is off track.
    kvi = make_kvi(
        target="800",
        target_date=date(2022, 7, 10),
        baseline="1000",
        baseline_period=date(2022, 4, 1),
        direction=Direction.DECREASE,
        aggregation=Aggregation.LATEST,
        unit=Unit.TCO2E,
    )
    result = kvi_status(kvi, figure=D(figure), as_of=date(2022, 5, 21))
    assert result.expected == D("900")
    assert result.status == status


@pytest.mark.parametrize(("figure", "status"), [("17.5", RISK), ("17", OFF), ("18.4", ON)])
def test_after_the_due_date_the_target_itself_applies(figure, status):
    # Target 18 due 31 March 2023 from a baseline of 10: on 30 June 2023 expected 18,
    # tolerance 10% of 8 = 0.8.
    kvi = make_kvi(
        target="18", target_year="2022/23", baseline="10", baseline_period=date(2021, 4, 1)
    )
    result = kvi_status(kvi, figure=D(figure), as_of=date(2023, 6, 30))
    assert result.expected == D("18")
    assert result.status == status


def test_before_the_baseline_period_the_line_reads_the_baseline():
    kvi = make_kvi(
        target="18", target_year="2022/23", baseline="10", baseline_period=date(2021, 4, 1)
    )
    assert trajectory_value(kvi, date(2020, 1, 1)) == D("10")
    assert kvi_status(kvi, figure=D("10"), as_of=date(2021, 3, 1)).status == ON


def test_sum_metric_year_to_date_is_judged_against_the_year_so_far():
    # 24 sessions a year with schools in 2022/23, counted as a sum: by 30 September 2022,
    # 183 of the year's 365 days have passed, so 24 x 183/365 = 12.032877 are expected;
    # tolerance 10% of that = 1.203288.
    kvi = make_kvi(
        target="24", target_year="2022/23", aggregation=Aggregation.SUM, unit=Unit.SESSIONS
    )
    as_of = date(2022, 9, 30)
    assert kvi_status(kvi, figure=D("12"), as_of=as_of).expected == D("12.032877")
    assert kvi_status(kvi, figure=D("12"), as_of=as_of).status == RISK
    assert kvi_status(kvi, figure=D("10"), as_of=as_of).status == OFF
    assert kvi_status(kvi, figure=D("13"), as_of=as_of).status == ON
    # At the year end the whole target is expected: 54 mentoring sessions against 50 is on track.
    mentoring = make_kvi(
        target="50", target_year="2021/22", aggregation=Aggregation.SUM, unit=Unit.SESSIONS
    )
    result = kvi_status(mentoring, figure=D("54"), as_of=date(2022, 3, 31))
    assert (result.expected, result.status) == (D("50"), ON)


def test_no_figure_gives_no_data_but_still_the_expected_value():
    kvi = make_kvi(target="18", target_year="2022/23")
    result = kvi_status(kvi, figure=None, as_of=date(2022, 9, 30))
    assert (result.status, result.label, result.tag_colour) == (
        KviStatus.NO_DATA,
        "No figures yet",
        "grey",
    )
    assert result.expected == D("18")
    assert result.figure is None


def test_no_target_gives_no_target_whatever_the_figure():
    kvi = make_kvi(baseline="10", baseline_period=date(2021, 4, 1))
    result = kvi_status(kvi, figure=D("13"), as_of=date(2022, 9, 30))
    assert (result.status, result.label, result.tag_colour) == (
        KviStatus.NO_TARGET,
        "No target",
        "grey",
    )
    assert result.expected is None
    assert result.figure == D("13")


@pytest.mark.parametrize(
    ("figure", "status"), [("54", ON), ("45", ON), ("58", RISK), ("41", RISK), ("61", OFF)]
)
def test_neutral_metric_holds_a_level_either_side(figure, status):
    # Neither side is better: within 10% of 50 (5) on track, within twice that at risk.
    kvi = make_kvi(target="50", target_year="2022/23", direction=Direction.NEUTRAL, unit=Unit.WTE)
    assert kvi_status(kvi, figure=D(figure), as_of=date(2022, 9, 30)).status == status


def test_a_baseline_equal_to_the_target_uses_ten_percent_of_the_target():
    kvi = make_kvi(
        target="20", target_year="2022/23", baseline="20", baseline_period=date(2021, 4, 1)
    )
    assert kvi_status(kvi, figure=D("18"), as_of=date(2022, 9, 30)).status == RISK
    assert kvi_status(kvi, figure=D("17.9"), as_of=date(2022, 9, 30)).status == OFF


def test_due_date_prefers_the_target_date_else_the_year_end():
    assert due_date(make_kvi(target="1", target_year="2022/23")) == date(2023, 3, 31)
    assert due_date(
        make_kvi(target="1", target_year="2022/23", target_date=date(2022, 12, 1))
    ) == date(2022, 12, 1)
    assert due_date(make_kvi(target="1")) is None
    # With no due date there is no line: the target applies.
    kvi = make_kvi(target="18", baseline="10", baseline_period=date(2021, 4, 1))
    assert trajectory_value(kvi, date(2022, 1, 1)) == D("18")


def test_status_choices_and_colours():
    assert [choice for choice, _ in KviStatus.choices] == [
        "on_track",
        "at_risk",
        "off_track",
        "no_target",
        "no_data",
    ]
    kvi = make_kvi(target="18", target_year="2022/23")
    on = kvi_status(kvi, figure=D("19"), as_of=date(2022, 9, 30))
    assert (on.tag_colour, on.tag_class, on.label) == ("green", "nhsuk-tag--green", "On track")
