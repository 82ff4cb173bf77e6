"""Sharing an application with colleagues of the same organisation: who can work on it (and
who can submit it), and emailing one of them a link (awards.services.sharing)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from awards.forms.applications import ShareForm
from awards.selectors import applicants as applicant_selectors
from awards.services.sharing import application_share
from awards.views.application_common import applicant_view, application_crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_share_page(request, application_id):
    tenant = request.tenant
    view = applicant_view(request, application_id)
    application = view.application
    colleagues = applicant_selectors.application_colleagues(
        tenant=tenant, organisation_id=application.organisation_id
    )
    others = [c for c in colleagues if c.user.pk != request.user.pk]
    form = ShareForm(request.POST if request.method == "POST" else None, colleagues=others)
    if request.method == "POST" and form.is_valid():
        colleague = form.chosen_colleague
        try:
            application_share(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                application=application,
                colleague=colleague,
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError({"colleague": str(error)})
            form.add_service_errors(error)
        else:
            messages.success(request, f"We have emailed {colleague} a link to this application.")
            return redirect(reverse("application_share", args=[tenant.slug, application.pk]))
    return render(
        request,
        "awards/applications/share.html",
        {
            "form": form,
            "application": application,
            "colleagues": colleagues,
            "others": others,
            "may_invite": request.access.can(
                Perm.INVITE_COLLEAGUE, organisation_id=application.organisation_id
            ),
            "breadcrumbs": application_crumbs(request, application, ("Share", "")),
        },
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/share/",
        application_share_page,
        name="application_share",
    ),
]
