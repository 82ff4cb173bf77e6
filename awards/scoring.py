"""The pass rule's arithmetic, as pure functions on Decimals.

Each criterion's score is the mean of its assessors' scores, placed on the rubric scale
(`(mean - lowest) / (highest - lowest)`, from 0 to 1). The overall result is the weighted mean
of those, as a percentage: Σ weight × placed ÷ Σ weight × 100. An application passes when the
exact result reaches the pass mark; the percentage shown is the exact result cut (not rounded)
to two decimal places, so a shown 80.00% never hides a fail.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionResult:
    code: str
    weight: Decimal
    mean: Decimal  # the assessors' mean score, cut to 2 places
    spread: Decimal  # highest minus lowest assessor score
    placed: Fraction  # 0..1 on the rubric scale


@dataclass(frozen=True)
class PassRuleResult:
    percent: Decimal  # cut to 2 decimal places
    exact: Fraction
    pass_mark: Decimal
    passed: bool
    criteria: tuple[CriterionResult, ...]


def _cut(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_DOWN)


def criterion_result(
    *, code: str, weight: Decimal, scores: Iterable[Decimal], lowest: int, highest: int
) -> CriterionResult:
    given = [Decimal(score) for score in scores]
    if not given:
        raise ValueError(f"No scores for criterion {code}")
    mean = sum((Fraction(score) for score in given), Fraction(0)) / len(given)
    return CriterionResult(
        code=code,
        weight=weight,
        mean=_cut(mean),
        spread=max(given) - min(given),
        placed=(mean - lowest) / (highest - lowest),
    )


def pass_rule(
    *,
    weights: Mapping[str, Decimal],
    scores: Mapping[str, Iterable[Decimal]],
    lowest: int,
    highest: int,
    pass_mark: Decimal,
) -> PassRuleResult:
    """`weights` and `scores` keyed by criterion code; every weighted criterion needs at least
    one score."""
    if highest <= lowest:
        raise ValueError("The rubric's highest score must be above its lowest")
    missing = [code for code in weights if not list(scores.get(code, ()))]
    if missing:
        raise ValueError(f"No scores for criteria {missing}")
    results = tuple(
        criterion_result(
            code=code, weight=weight, scores=scores[code], lowest=lowest, highest=highest
        )
        for code, weight in weights.items()
    )
    total_weight = sum((Fraction(r.weight) for r in results), Fraction(0))
    if total_weight <= 0:
        raise ValueError("No weighted criteria")
    exact = sum((Fraction(r.weight) * r.placed for r in results), Fraction(0)) / total_weight * 100
    return PassRuleResult(
        percent=_cut(exact),
        exact=exact,
        pass_mark=pass_mark,
        passed=exact >= Fraction(pass_mark),
        criteria=results,
    )
