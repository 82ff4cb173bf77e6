"""Evidence files of an application: adding one, replacing one (the old file stays in the
history), removing one after a confirmation page (it stays stored, in the history) and
downloading one, only through selectors.evidence_get_for_user (permission checked again on
every download) and uploads.responses.private_download (attachment, nosniff, no caching).

The file's type is judged from its content and its size capped by awards.services.evidence; a
refused file changes nothing and the page says why.

URL names carry an `award_` prefix: kvi/views/evidence.py already uses evidence_add,
evidence_download and evidence_remove, and a second pattern of the same name would capture
those links."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.evidence import EvidenceAddForm, EvidenceReplaceForm
from awards.rules import applicable_criteria
from awards.selectors import applicants as applicant_selectors
from awards.views.application_common import (
    applicant_view,
    application_crumbs,
    detail_url,
    error_text,
    not_editable,
)
from tenancy.decorators import tenant_view
from uploads.responses import private_download


def _evidence_for_applicant(request, evidence_id):
    """An evidence file of an application the person works on (404 when they may not open the
    application, 403 when they may open it but not change it)."""
    evidence = applicant_selectors.evidence_get(tenant=request.tenant, pk=evidence_id)
    if evidence is None:
        raise Http404("No such evidence file.")
    view = applicant_view(request, evidence.application_id)
    evidence.application = view.application
    return evidence, view


@tenant_view()
@require_http_methods(["GET", "POST"])
def evidence_add(request, application_id):
    tenant = request.tenant
    view = applicant_view(request, application_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    posted = request.method == "POST"
    form = EvidenceAddForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        criteria=applicable_criteria(tenant=tenant, application=application),
    )
    if posted and form.is_valid():
        try:
            added = services.evidence_add(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                application=application,
                uploaded_file=form.cleaned_data["file"],
                criterion=form.chosen_criterion,
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{added.file_name} added to the application.")
            return redirect(detail_url(request, application) + "#evidence")
    return render(
        request,
        "awards/applications/evidence_add.html",
        {
            "form": form,
            "application": application,
            "current_files": list(selectors.evidence_list(tenant=tenant, application=application)),
            "cancel_url": detail_url(request, application) + "#evidence",
            "breadcrumbs": application_crumbs(request, application, ("Add evidence", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def evidence_replace(request, evidence_id):
    evidence, view = _evidence_for_applicant(request, evidence_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    back = detail_url(request, application) + "#evidence"
    if not evidence.is_current:
        messages.info(request, f"{evidence.file_name} has already been replaced or removed.")
        return redirect(back)
    posted = request.method == "POST"
    form = EvidenceReplaceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            new = services.evidence_replace(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                evidence=evidence,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{evidence.file_name} replaced by {new.file_name}. The old file stays in the "
                "history.",
            )
            return redirect(back)
    return render(
        request,
        "awards/applications/evidence_replace.html",
        {
            "form": form,
            "evidence": evidence,
            "application": application,
            "cancel_url": back,
            "breadcrumbs": application_crumbs(
                request, application, (f"Replace {evidence.file_name}", "")
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def evidence_remove(request, evidence_id):
    evidence, view = _evidence_for_applicant(request, evidence_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    back = detail_url(request, application) + "#evidence"
    if not evidence.is_current:
        messages.info(request, f"{evidence.file_name} has already been replaced or removed.")
        return redirect(back)
    if request.method == "POST":
        try:
            services.evidence_remove(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                evidence=evidence,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, f"{evidence.file_name} removed. It stays in the application's history."
            )
        return redirect(back)
    return render(
        request,
        "awards/applications/evidence_remove.html",
        {
            "evidence": evidence,
            "application": application,
            "back": back,
            "breadcrumbs": application_crumbs(
                request, application, (f"Remove {evidence.file_name}", "")
            ),
        },
    )


@tenant_view()
def evidence_download(request, evidence_id):
    evidence = selectors.evidence_get_for_user(
        tenant=request.tenant, access=request.access, user=request.user, pk=evidence_id
    )
    if evidence is None:
        raise Http404("No such evidence file, or not one you may open.")
    return private_download(
        evidence.storage_key, file_name=evidence.file_name, content_type=evidence.content_type
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/evidence/add/",
        evidence_add,
        name="award_evidence_add",
    ),
    path("evidence/<uuid:evidence_id>/replace/", evidence_replace, name="award_evidence_replace"),
    path("evidence/<uuid:evidence_id>/remove/", evidence_remove, name="award_evidence_remove"),
    path("evidence/<uuid:evidence_id>/", evidence_download, name="award_evidence_download"),
]
