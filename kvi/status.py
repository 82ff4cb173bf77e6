"""On-track status of a KVI against its target trajectory.

Pure functions: no database queries. Callers pass a Kvi with ``.metric`` loaded, the figure to
judge (normally the year-to-date figure, kvi.selectors.year_to_date, or the latest) and the date
it stands for.

The target trajectory
---------------------
- **Due date**: the KVI's ``target_date``, else 31 March closing its ``target_financial_year``.
- **The line**: with a baseline (value and period) before the due date, a straight line from
  the baseline value on the first day of the baseline period to the target value on the due
  date; before the baseline period it reads the baseline, after the due date the target.
  With no baseline (or no due date), the target itself applies at every date.
- **Sum metrics** (a year's periods add up, e.g. sessions or hours): the year-to-date figure
  starts from zero every 1 April, so the expected figure is the line's value at the end of the
  financial year containing ``as_of`` (or at the due date, if that falls inside the year),
  pro-rated by the share of that stretch's days elapsed up to ``as_of`` (inclusive).
- **Tolerance** (the "at risk" band) is 10% of the distance the KVI has to travel:
  |target − baseline|, or |target| with no baseline or a baseline equal to the target; for sum
  metrics 10% of the expected figure.

Judging the figure against the expected value at ``as_of``:
- higher is better: at or above expected → on track; below by no more than the tolerance → at
  risk; further below → off track. Lower is better: mirrored.
- neutral (neither side is better, so the target is a level to hold): within the tolerance
  either side → on track; within twice the tolerance → at risk; beyond → off track.
- no target value → "no target" (whatever the figure); a target but no figure → "no figures
  yet" (the expected value is still given).

Worked example (Wirral): "18% of supply-chain spend with local firms in 2022/23", no baseline,
13.09% year to date at 30 September 2022: expected 18, tolerance 1.8, 13.09 < 16.2 → off track.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from kvi import periods
from kvi.models import Aggregation, Direction

TOLERANCE = Decimal("0.10")
_PLACES = Decimal("0.000001")  # as KVI values are stored


class KviStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_TARGET = "no_target", "No target"
    NO_DATA = "no_data", "No figures yet"


# NHS.UK frontend tag modifiers (nhsuk-tag--<colour>).
TAG_COLOURS: dict[str, str] = {
    KviStatus.ON_TRACK: "green",
    KviStatus.AT_RISK: "yellow",
    KviStatus.OFF_TRACK: "red",
    KviStatus.NO_TARGET: "grey",
    KviStatus.NO_DATA: "grey",
}


@dataclass(frozen=True)
class KviStatusResult:
    status: KviStatus
    label: str
    expected: Decimal | None  # where the trajectory says the figure should be at `as_of`
    figure: Decimal | None
    tag_colour: str  # NHS.UK tag modifier: "green", "yellow", "red", "grey"

    @property
    def tag_class(self) -> str:
        return f"nhsuk-tag--{self.tag_colour}"


_LABELS = {status: str(status.label) for status in KviStatus}


def _result(status: KviStatus, expected: Decimal | None, figure: Decimal | None):
    return KviStatusResult(
        status=status,
        label=_LABELS[status],
        expected=expected,
        figure=figure,
        tag_colour=TAG_COLOURS[status],
    )


def due_date(kvi) -> date | None:
    """When the target is due: its date, else 31 March closing its financial year."""
    if kvi.target_date is not None:
        return kvi.target_date
    if kvi.target_financial_year:
        return periods.financial_year_end(kvi.target_financial_year)
    return None


def _fraction(numerator_days: int, denominator_days: int) -> Decimal:
    if denominator_days <= 0:
        return Decimal(1)
    return min(Decimal(1), max(Decimal(0), Decimal(numerator_days) / Decimal(denominator_days)))


def _line(kvi, target: Decimal, on: date) -> Decimal:
    due = due_date(kvi)
    start = kvi.baseline_period
    if kvi.baseline_value is None or start is None or due is None or start >= due:
        return target
    baseline = Decimal(kvi.baseline_value)
    share = _fraction((on - start).days, (due - start).days)
    return baseline + (target - baseline) * share


def trajectory_value(kvi, on: date) -> Decimal | None:
    """The straight-line value of the KVI's target trajectory on a date (None with no target)."""
    if kvi.target_value is None:
        return None
    return _line(kvi, Decimal(kvi.target_value), on)


def _is_sum(kvi) -> bool:
    return kvi.metric.aggregation == Aggregation.SUM


def expected_value(kvi, as_of: date) -> tuple[Decimal, Decimal] | None:
    """(expected figure at ``as_of``, tolerance), or None with no target. See the module doc."""
    if kvi.target_value is None:
        return None
    target = Decimal(kvi.target_value)
    if _is_sum(kvi):
        year_start = periods.financial_year_start(periods.financial_year_of(as_of))
        stretch_end = periods.financial_year_end(periods.financial_year_of(as_of))
        due = due_date(kvi)
        if due is not None and year_start <= due < stretch_end:
            stretch_end = due
        level = _line(kvi, target, stretch_end)
        share = _fraction((as_of - year_start).days + 1, (stretch_end - year_start).days + 1)
        expected = level * share
        return expected.quantize(_PLACES), (abs(expected) * TOLERANCE).quantize(_PLACES)
    expected = _line(kvi, target, as_of)
    baseline = kvi.baseline_value
    if baseline is None or Decimal(baseline) == target:
        distance = abs(target)
    else:
        distance = abs(target - Decimal(baseline))
    return expected.quantize(_PLACES), (distance * TOLERANCE).quantize(_PLACES)


def kvi_status(kvi, *, figure: Decimal | None, as_of: date) -> KviStatusResult:
    """The KVI's status on ``as_of`` with ``figure`` (year to date or latest), judged against
    its target trajectory as the module docstring sets out."""
    judged = expected_value(kvi, as_of)
    if judged is None:
        return _result(KviStatus.NO_TARGET, None, figure)
    expected, tolerance = judged
    if figure is None:
        return _result(KviStatus.NO_DATA, expected, None)
    figure = Decimal(figure)
    direction = kvi.metric.direction
    if direction == Direction.NEUTRAL:
        gap = abs(figure - expected)
        if gap <= tolerance:
            status = KviStatus.ON_TRACK
        elif gap <= 2 * tolerance:
            status = KviStatus.AT_RISK
        else:
            status = KviStatus.OFF_TRACK
        return _result(status, expected, figure)
    shortfall = expected - figure if direction == Direction.INCREASE else figure - expected
    if shortfall <= 0:
        status = KviStatus.ON_TRACK
    elif shortfall <= tolerance:
        status = KviStatus.AT_RISK
    else:
        status = KviStatus.OFF_TRACK
    return _result(status, expected, figure)
