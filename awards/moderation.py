"""The assessors' scores side by side, their spread, and the pass rule's result: what the
tenant admin moderates and decides on. Reads only; four queries whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from awards.models import Application, AssessorAssignment, Conflict, Criterion, Score
from awards.rules import applicable_criteria
from awards.scoring import PassRuleResult, pass_rule


@dataclass
class ModerationRow:
    criterion: Criterion
    scores: list[Score | None]  # one per counted assessor, in `Moderation.assessors` order
    mean: Decimal | None = None
    spread: Decimal | None = None


@dataclass
class Moderation:
    assessors: list[AssessorAssignment]  # declared free of conflict: their scores count
    conflicted: list[AssessorAssignment]
    undeclared: list[AssessorAssignment]
    rows: list[ModerationRow]
    missing: list[str] = field(default_factory=list)  # what stops a decision
    result: PassRuleResult | None = None


def moderation(*, tenant, application: Application) -> Moderation:
    assignments = list(
        AssessorAssignment.objects.filter(tenant=tenant, application=application)
        .select_related("assessor")
        .order_by("created_at")
    )
    cleared = [a for a in assignments if a.conflict == Conflict.NONE]
    criteria = applicable_criteria(tenant=tenant, application=application)
    by_key: dict[tuple, Score] = {
        (s.assignment_id, s.criterion_id): s
        for s in Score.objects.filter(
            tenant=tenant, assignment__in=[a.pk for a in cleared], criterion__in=criteria
        )
    }
    rows = []
    scores_by_code: dict[str, list[Decimal]] = defaultdict(list)
    for criterion in criteria:
        row = ModerationRow(criterion, [by_key.get((a.pk, criterion.pk)) for a in cleared])
        given = [s.score for s in row.scores if s is not None]
        if given:
            scores_by_code[criterion.code] = given
            row.spread = max(given) - min(given)
        rows.append(row)
    result = Moderation(
        assessors=cleared,
        conflicted=[a for a in assignments if a.conflict == Conflict.CONFLICTED],
        undeclared=[a for a in assignments if a.conflict == Conflict.UNDECLARED],
        rows=rows,
    )
    result.missing = _missing(result, criteria)
    if not result.missing:
        version = application.version
        result.result = pass_rule(
            weights={c.code: c.weight for c in criteria},
            scores=scores_by_code,
            lowest=version.rubric_min,
            highest=version.rubric_max,
            pass_mark=version.pass_mark_percent,
        )
        means = {r.code: r.mean for r in result.result.criteria}
        for row in rows:
            row.mean = means[row.criterion.code]
    return result


def _name(assignment: AssessorAssignment) -> str:
    return str(assignment.assessor)


def _missing(result: Moderation, criteria: list[Criterion]) -> list[str]:
    missing = [f"{_name(a)} has not declared their interests." for a in result.undeclared]
    if not result.assessors:
        missing.append("No assessor clear of conflict has been assigned.")
    if not criteria:
        missing.append("The application has no questions to score.")
    for column, assignment in enumerate(result.assessors):
        scored = sum(1 for row in result.rows if row.scores[column] is not None)
        if scored < len(result.rows):
            missing.append(
                f"{_name(assignment)} has scored {scored} of {len(result.rows)} questions."
            )
    return missing
