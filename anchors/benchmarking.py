"""Benchmarking one metric in one round across members: rank, quartile and the spread.

Plain functions over plain data (no queries), so they are exact and easy to test:

- **Rank**: 1 is the best in the metric's improvement direction (highest first for "increase"
  and "neutral", lowest first for "decrease"). Equal figures share a rank and the next rank is
  skipped (1, 2, 2, 4), as league tables do.
- **Quartile**: 1 is the best quarter: ⌈4 × rank ÷ n⌉, so members sharing a rank share a
  quartile. With 13 members, ranks 1–3 are quartile 1, 4–6 quartile 2, 7–9 quartile 3 and
  10–13 quartile 4.
- **Median, lower and upper quartile values**: of the figures, with linear interpolation
  between the closest ranks (the "inclusive" method, Excel's QUARTILE.INC), in Decimal.

Members compared with their sector peers are benchmarked the same way within their sector.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

DECREASE = "decrease"


@dataclass(frozen=True)
class Standing:
    value: Decimal
    rank: int
    quartile: int
    of: int  # how many members were compared


@dataclass(frozen=True)
class Benchmark:
    count: int
    median: Decimal | None
    lower_quartile: Decimal | None
    upper_quartile: Decimal | None
    total: Decimal
    standings: dict[str, Standing] = field(default_factory=dict)


def quantile(ordered: list[Decimal], p: Decimal) -> Decimal:
    """The p-quantile (0 ≤ p ≤ 1) of ascending values, interpolating between the closest
    ranks: position (n − 1) × p."""
    if not ordered:
        raise ValueError("No values.")
    position = (len(ordered) - 1) * p
    below = int(position)  # floor: position is never negative
    fraction = position - below
    if below + 1 >= len(ordered) or fraction == 0:
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * fraction


def benchmark(values: Mapping[str, Decimal], direction: str = "increase") -> Benchmark:
    """Each member's standing among `values` (member key -> figure) and the spread."""
    count = len(values)
    if count == 0:
        return Benchmark(0, None, None, None, Decimal(0), {})
    ascending = sorted(values.values())
    best_first = ascending if direction == DECREASE else ascending[::-1]
    first_rank: dict[Decimal, int] = {}
    for position, value in enumerate(best_first, start=1):
        first_rank.setdefault(value, position)
    standings = {
        key: Standing(
            value=value,
            rank=first_rank[value],
            quartile=math.ceil(4 * first_rank[value] / count),
            of=count,
        )
        for key, value in values.items()
    }
    return Benchmark(
        count=count,
        median=quantile(ascending, Decimal("0.5")),
        lower_quartile=quantile(ascending, Decimal("0.25")),
        upper_quartile=quantile(ascending, Decimal("0.75")),
        total=sum(ascending, Decimal(0)),
        standings=standings,
    )
