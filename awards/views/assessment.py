"""The assessors' pages: their worklist, declaring any conflict of interest (first: until then
they see only who applied and for what; a conflicted assessor sees nothing more of it), and
scoring: the application read-only with a score, a comment for the applicant and a private
note per question, against the rubric.

This module also joins the programme team's dashboard and assessor pages (awards.urls lists
this module's urlpatterns). Thin: selectors read, awards.services write."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.assessment import CONFLICTED, DeclareForm, ScoreForm
from awards.models import Conflict
from awards.rules import applicable_criteria
from awards.selectors import team as team_selectors
from awards.views import assessors, dashboard
from awards.views.common import crumbs
from awards.views.team_common import own_assignment_or_404, posted
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25


def _worklist_crumb(tenant) -> tuple[str, str]:
    return ("Your assessments", reverse("assessor_worklist", args=[tenant.slug]))


@tenant_view(Perm.ASSESS_AWARDS)
def assessor_worklist(request):
    tenant = request.tenant
    assignments = team_selectors.worklist(tenant=tenant, user=request.user)
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/assessment/worklist.html",
        {
            "page_obj": page,
            "rows": team_selectors.worklist_rows(tenant=tenant, assignments=page),
            "querystring": "",
            "undeclared": Conflict.UNDECLARED,
            "breadcrumbs": crumbs(tenant, ("Your assessments", "")),
        },
    )


@tenant_view(Perm.ASSESS_AWARDS)
@require_http_methods(["GET", "POST"])
def assessment_declare(request, assignment_id):
    tenant = request.tenant
    assignment = own_assignment_or_404(request, assignment_id)
    application = assignment.application
    form = DeclareForm(posted(request))
    if request.method == "POST" and form.is_valid():
        conflicted = form.cleaned_data["conflict"] == CONFLICTED
        try:
            services.conflict_declare(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                assignment=assignment,
                conflicted=conflicted,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if conflicted:
                messages.success(
                    request,
                    f"You declared a conflict of interest with {application.organisation.name}'s "
                    "application. The programme team is told and will assign someone else.",
                )
                return redirect("assessor_worklist", tenant.slug)
            messages.success(request, "You declared no conflict of interest. You can now score.")
            return redirect("assessment_score", tenant.slug, assignment.pk)
    return render(
        request,
        "awards/assessment/declare.html",
        {
            "assignment": assignment,
            "application": application,
            "form": form,
            "declared_none": assignment.conflict == Conflict.NONE,
            "breadcrumbs": crumbs(
                tenant,
                _worklist_crumb(tenant),
                (application.organisation.name, ""),
            ),
        },
    )


def _save_scores(request, application, form: ScoreForm) -> int:
    """Save every question filled in, all or none: the service's refusals become errors on
    the question's fields (the score's field for a score out of the scale)."""
    saved = 0
    entries = form.entries()
    if form.errors:
        return 0
    with transaction.atomic():
        for number, criterion, score, comment, note, field in entries:
            try:
                services.score_save(
                    tenant=request.tenant,
                    actor=request.user,
                    access=request.access,
                    application=application,
                    criterion=criterion,
                    score=score,
                    comment=comment,
                    private_note=note,
                )
                saved += 1
            except ValidationError as error:
                for key, problems in (
                    error.message_dict.items()
                    if hasattr(error, "error_dict")
                    else [(None, error.messages)]
                ):
                    target = field if key in ("score", "criterion") else None
                    for problem in problems:
                        form.add_error(target, f"Question {number}: {problem}")
        if form.errors:
            transaction.set_rollback(True)
            return 0
    return saved


@tenant_view(Perm.ASSESS_AWARDS)
@require_http_methods(["GET", "POST"])
def assessment_score(request, assignment_id):
    tenant = request.tenant
    assignment = own_assignment_or_404(request, assignment_id)
    if assignment.conflict == Conflict.UNDECLARED:
        return redirect("assessment_declare", tenant.slug, assignment.pk)
    view = selectors.application_get_for_user(
        tenant=tenant, access=request.access, user=request.user, pk=assignment.application_id
    )
    if view is None or not view.can_read:
        raise Http404("No such assessment of yours.")
    application = view.application
    version = application.version
    criteria = applicable_criteria(tenant=tenant, application=application)
    scores = team_selectors.assignment_scores(tenant=tenant, assignment=assignment)
    form = ScoreForm(
        posted(request) if view.can_score else None,
        criteria=criteria,
        scores=scores,
        lowest=version.rubric_min,
        highest=version.rubric_max,
        descriptors=version.rubric_descriptors,
    )
    if request.method == "POST":
        if not view.can_score:
            raise PermissionDenied(
                f"This application is {application.get_status_display().lower()}: it cannot "
                "be scored now."
            )
        if form.is_valid():
            saved = _save_scores(request, application, form)
            if not form.errors:
                messages.success(request, f"{saved} score{'s' if saved != 1 else ''} saved.")
                return redirect("assessment_score", tenant.slug, assignment.pk)
    answers = selectors.application_answers(tenant=tenant, application=application)
    evidence = list(selectors.evidence_list(tenant=tenant, application=application))
    descriptors = version.rubric_descriptors or {}
    return render(
        request,
        "awards/assessment/score.html",
        {
            "assignment": assignment,
            "application": application,
            "version": version,
            "form": form,
            "can_score": view.can_score,
            "questions": [
                {
                    "number": number,
                    "criterion": criterion,
                    "answer": answers.get(criterion.pk),
                    "evidence": [e for e in evidence if e.criterion_id == criterion.pk],
                    "score": score_field,
                    "comment": comment_field,
                    "note": note_field,
                    "saved": scores.get(criterion.pk),
                }
                for number, criterion, score_field, comment_field, note_field in form.rows()
            ],
            "general_evidence": [
                e for e in evidence if e.criterion_id not in {c.pk for c in criteria}
            ],
            "commitments": selectors.application_commitments(
                tenant=tenant, application=application
            ),
            "rubric": [
                (value, descriptors.get(str(value), ""))
                for value in range(version.rubric_min, version.rubric_max + 1)
            ],
            "scored": len(scores),
            "breadcrumbs": crumbs(
                tenant, _worklist_crumb(tenant), (application.organisation.name, "")
            ),
        },
    )


urlpatterns = [
    *dashboard.urlpatterns,
    *assessors.urlpatterns,
    path("assessments/", assessor_worklist, name="assessor_worklist"),
    path(
        "assessments/<uuid:assignment_id>/declare/",
        assessment_declare,
        name="assessment_declare",
    ),
    path("assessments/<uuid:assignment_id>/", assessment_score, name="assessment_score"),
]
