"""The programme team's pages on one application before the decision: assigning assessors
(people with the assessor role), taking one off (a confirmation page) and asking the applicant
for more information.

Thin: awards.selectors.team read, awards.services write (and check permission again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from awards import services
from awards.forms.assessment import AssignAssessorForm, InformationRequestForm
from awards.models import ASSESSABLE_STATUSES, Conflict
from awards.selectors import team as team_selectors
from awards.services.assessment import ASSIGNABLE_STATUSES
from awards.views.common import crumbs
from awards.views.team_common import (
    application_crumb,
    dashboard_crumb,
    detail_url,
    managed_application_or_404,
    posted,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def application_assessors(request, application_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    assignments = team_selectors.application_assignments(tenant=tenant, application=application)
    can_assign = application.status in ASSIGNABLE_STATUSES
    form = None
    if can_assign:
        candidates = team_selectors.assessor_candidates(
            tenant=tenant, exclude_ids=[a.assessor_id for a in assignments]
        )
        form = AssignAssessorForm(posted(request), candidates=candidates)
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                f"This application is {application.get_status_display().lower()}: assessors "
                "cannot be assigned now.",
            )
            return redirect("application_assessors", tenant.slug, application.pk)
        if form.is_valid():
            assessor = form.cleaned_data["assessor"]
            try:
                services.assessor_assign(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    application=application,
                    assessor=assessor,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"{assessor} is assigned. They are emailed and must declare any conflict "
                    "of interest before they see the application.",
                )
                return redirect("application_assessors", tenant.slug, application.pk)
    return render(
        request,
        "awards/assessment/assessors.html",
        {
            "application": application,
            "assignments": assignments,
            "form": form,
            "conflicted": Conflict.CONFLICTED,
            "undeclared": Conflict.UNDECLARED,
            "detail_url": detail_url(tenant, application),
            "breadcrumbs": crumbs(
                tenant,
                dashboard_crumb(tenant),
                application_crumb(tenant, application),
                ("Assessors", ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def application_assessor_remove(request, application_id, assignment_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    assignment = team_selectors.assignment_for_application(
        tenant=tenant, application=application, pk=assignment_id
    )
    if assignment is None:
        raise Http404("No such assessor of this application.")
    error = ""
    if request.method == "POST":
        try:
            services.assessor_unassign(
                tenant=tenant, actor=request.user, access=request.access, assignment=assignment
            )
        except (ValidationError, PermissionDenied) as refusal:
            error = " ".join(getattr(refusal, "messages", [str(refusal)]))
        else:
            messages.success(request, f"{assignment.assessor} is no longer assigned.")
            return redirect("application_assessors", tenant.slug, application.pk)
    return render(
        request,
        "awards/assessment/assessor_remove.html",
        {
            "application": application,
            "assignment": assignment,
            "error": error,
            "breadcrumbs": crumbs(
                tenant,
                dashboard_crumb(tenant),
                application_crumb(tenant, application),
                ("Assessors", ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def information_request(request, application_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    can_request = application.status in ASSESSABLE_STATUSES
    form = InformationRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.information_request(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                application=application,
                request=form.cleaned_data["request"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The application is back with {application.organisation.name}, who are "
                "emailed what more you need.",
            )
            return redirect(detail_url(tenant, application))
    return render(
        request,
        "awards/assessment/information_request.html",
        {
            "application": application,
            "form": form,
            "can_request": can_request,
            "detail_url": detail_url(tenant, application),
            "breadcrumbs": crumbs(
                tenant,
                dashboard_crumb(tenant),
                application_crumb(tenant, application),
                ("Ask for more information", ""),
            ),
        },
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/assessors/",
        application_assessors,
        name="application_assessors",
    ),
    path(
        "applications/<uuid:application_id>/assessors/<uuid:assignment_id>/remove/",
        application_assessor_remove,
        name="application_assessor_remove",
    ),
    path(
        "applications/<uuid:application_id>/request-information/",
        information_request,
        name="information_request",
    ),
]
