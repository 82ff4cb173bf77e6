"""What the applicant pages share: breadcrumbs, the one door to an application
(awards.selectors.application_get_for_user: 404 for anyone who may not open it) and the check
that the person may change it now."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from awards import selectors
from awards.selectors import ApplicationView
from awards.views.common import crumbs
from tenancy.permissions import Perm


def application_title(application) -> str:
    return f"{application.organisation.name}: {application.level.name}"


def detail_url(request, application) -> str:
    return reverse("application_detail", args=[request.tenant.slug, application.pk])


def application_crumbs(request, application, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(
        request.tenant, (application_title(application), detail_url(request, application)), *rest
    )


def view_or_404(request, application_id) -> ApplicationView:
    view = selectors.application_get_for_user(
        tenant=request.tenant, access=request.access, user=request.user, pk=application_id
    )
    if view is None:
        raise Http404("No such application, or not one you may open.")
    return view


def readable_or_404(request, application_id) -> ApplicationView:
    """An application whose answers, commitments and files this person may read."""
    view = view_or_404(request, application_id)
    if not view.can_read:
        raise Http404("No such application, or not one you may open.")
    return view


def applicant_view(request, application_id, perm: Perm = Perm.EDIT_AWARD_APPLICATION):
    """An application of the person's organisation that they may work on with `perm`; anyone
    else who may open it (programme team, assessors, panels) is refused (403)."""
    view = view_or_404(request, application_id)
    organisation_id = view.application.organisation_id
    if not view.as_applicant or not request.access.can(perm, organisation_id=organisation_id):
        raise PermissionDenied(
            "Only people of the applying organisation with the right role can do that."
        )
    return view


def not_editable(request, application):
    """Back to the application with a message saying why it cannot change now."""
    messages.info(
        request,
        f"This application is {application.get_status_display().lower()}: it cannot be "
        "changed now.",
    )
    return redirect(detail_url(request, application))


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)
