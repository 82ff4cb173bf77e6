"""Look-ups and breadcrumbs shared by the programme team's and assessors' award pages. Each
look-up raises Http404 when there is nothing this person may see."""

from django.http import Http404
from django.urls import reverse

from awards import selectors
from awards.models import AssessorAssignment, Conflict


def dashboard_crumb(tenant) -> tuple[str, str]:
    return ("Applications", reverse("award_dashboard", args=[tenant.slug]))


def application_crumb(tenant, application) -> tuple[str, str]:
    return (application.organisation.name, detail_url(tenant, application))


def detail_url(tenant, application) -> str:
    """The application's page (awards.views.applications)."""
    return reverse("application_detail", args=[tenant.slug, application.pk])


def managed_application_or_404(request, application_id):
    """The application, for the programme team (the view requires MANAGE_AWARD_APPLICATIONS)."""
    view = selectors.application_get_for_user(
        tenant=request.tenant, access=request.access, user=request.user, pk=application_id
    )
    if view is None or not view.as_manager:
        raise Http404("No such application in this programme.")
    return view.application


def own_assignment_or_404(request, assignment_id) -> AssessorAssignment:
    """The signed-in assessor's own assignment; a conflicted one shows nothing of the
    application, so it is not found either."""
    assignment = selectors.assignment_get_for_assessor(
        tenant=request.tenant, user=request.user, pk=assignment_id
    )
    if assignment is None or assignment.conflict == Conflict.CONFLICTED:
        raise Http404("No such assessment of yours.")
    return assignment


def posted(request):
    return request.POST if request.method == "POST" else None
