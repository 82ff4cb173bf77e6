"""Reads for the programme team's and the assessors' pages (the dashboard, assessors of an
application, the assessor's worklist and scoring page). Each decides its joins, so a page runs a
fixed number of queries whatever the number of rows. Complements awards.selectors."""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from awards.models import (
    Application,
    AssessorAssignment,
    AwardScheme,
    Conflict,
    Criterion,
    Score,
)
from awards.selectors import Clock, assessor_worklist, decision_clock
from tenancy.models import Role


def dashboard_applications(
    *, tenant, status: str = "", scheme_id=None, search: str = ""
) -> QuerySet[Application]:
    """Every application of the programme (the programme team's view), filtered by status,
    scheme and part of the organisation's name; the soonest decision due first. Organisation,
    scheme, version and level joined; the number of assessors counted. One query."""
    applications = Application.objects.filter(tenant=tenant)
    if status:
        applications = applications.filter(status=status)
    if scheme_id:
        applications = applications.filter(scheme_id=scheme_id)
    if search.strip():
        applications = applications.filter(organisation__name__icontains=search.strip())
    return (
        applications.select_related("organisation", "scheme", "version", "level")
        .annotate(
            assessor_count=Count(
                "assignments", filter=~Q(assignments__conflict=Conflict.CONFLICTED)
            )
        )
        .order_by(F("decision_due").asc(nulls_last=True), "-created_at", "id")
    )


def schemes_for_filter(*, tenant) -> QuerySet[AwardScheme]:
    return AwardScheme.objects.filter(tenant=tenant).order_by("name")


def assessor_candidates(*, tenant, exclude_ids=()) -> QuerySet:
    """People with the assessor role in the programme (other than `exclude_ids`), by name."""
    users = (
        get_user_model()
        .objects.filter(memberships__tenant=tenant, memberships__role=Role.ASSESSOR)
        .exclude(pk__in=list(exclude_ids))
        .distinct()
    )
    return users.order_by("full_name", "email")


def application_assignments(*, tenant, application: Application) -> list[AssessorAssignment]:
    """The application's assessors, in the order assigned, with how many scores each gave."""
    return list(
        AssessorAssignment.objects.filter(tenant=tenant, application=application)
        .select_related("assessor", "assigned_by")
        .annotate(score_count=Count("scores"))
        .order_by("created_at", "id")
    )


def assignment_for_application(
    *, tenant, application: Application, pk
) -> AssessorAssignment | None:
    return (
        AssessorAssignment.objects.filter(tenant=tenant, application=application, pk=pk)
        .select_related("assessor")
        .annotate(score_count=Count("scores"))
        .first()
    )


def criteria_counts(*, tenant, applications: list[Application]) -> dict:
    """How many questions apply to each application (its level or all, its areas or none),
    by application id: one query for all of them (same rule as awards.rules)."""
    version_ids = {a.version_id for a in applications}
    if not version_ids:
        return {}
    criteria = list(
        Criterion.objects.filter(tenant=tenant, version_id__in=version_ids).values_list(
            "version_id", "level_id", "area__code"
        )
    )
    counts: Counter = Counter()
    for application in applications:
        areas = set(application.area_codes)
        for version_id, level_id, area_code in criteria:
            if (
                version_id == application.version_id
                and (level_id is None or level_id == application.level_id)
                and (area_code is None or area_code in areas)
            ):
                counts[application.pk] += 1
    return counts


@dataclass(frozen=True)
class WorklistRow:
    assignment: AssessorAssignment
    application: Application
    clock: Clock | None
    scored: int
    questions: int


def worklist_rows(*, tenant, assignments) -> list[WorklistRow]:
    """One page of an assessor's worklist with the decision clock and scoring progress."""
    assignments = list(assignments)
    totals = criteria_counts(tenant=tenant, applications=[a.application for a in assignments])
    return [
        WorklistRow(
            assignment=a,
            application=a.application,
            clock=decision_clock(a.application),
            scored=a.score_count,
            questions=totals.get(a.application_id, 0),
        )
        for a in assignments
    ]


def worklist(*, tenant, user) -> QuerySet[AssessorAssignment]:
    """awards.selectors.assessor_worklist with each assignment's number of scores."""
    return assessor_worklist(tenant=tenant, user=user).annotate(score_count=Count("scores"))


def assignment_scores(*, tenant, assignment: AssessorAssignment) -> dict:
    """The assessor's scores by criterion id."""
    return {s.criterion_id: s for s in Score.objects.filter(tenant=tenant, assignment=assignment)}
