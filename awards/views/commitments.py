"""Commitments: what the organisation commits to in each chosen area, and the KVIs of the
organisation (kvi.Kvi) that track each one. Listing and adding on one page; changing, removing
(after a confirmation page) and linking KVIs on their own pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.applications import CommitmentForm, CommitmentKvisForm
from awards.rules import application_missing
from awards.selectors import applicants as applicant_selectors
from awards.views.application_common import (
    applicant_view,
    application_crumbs,
    error_text,
    not_editable,
)
from kvi.selectors import kvi_list
from tenancy.decorators import tenant_view


def _commitments_url(request, application) -> str:
    return reverse("application_commitments", args=[request.tenant.slug, application.pk])


def _chosen_areas(application) -> list:
    return [a for a in application.version.areas.all() if a.code in application.area_codes]


def _commitment_view(request, commitment_id):
    """The commitment and the application view, for a person of the organisation who may
    change it now (else 404 / 403, or None for the view when the status forbids changes)."""
    commitment = applicant_selectors.commitment_get(tenant=request.tenant, pk=commitment_id)
    if commitment is None:
        raise Http404("No such commitment.")
    view = applicant_view(request, commitment.application_id)
    commitment.application = view.application
    return commitment, view


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_commitments(request, application_id):
    tenant = request.tenant
    view = applicant_view(request, application_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    areas = _chosen_areas(application)
    form = CommitmentForm(request.POST if request.method == "POST" else None, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                application=application,
                area=form.chosen_area,
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Commitment added.")
            return redirect(_commitments_url(request, application))
    missing = [
        item
        for item in application_missing(tenant=tenant, application=application)
        if item.key == "commitments" or item.key.startswith("commitment:")
    ]
    return render(
        request,
        "awards/applications/commitments.html",
        {
            "form": form,
            "application": application,
            "areas": areas,
            "commitments": selectors.application_commitments(
                tenant=tenant, application=application
            ),
            "missing": missing,
            "breadcrumbs": application_crumbs(request, application, ("Commitments", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def commitment_edit(request, commitment_id):
    commitment, view = _commitment_view(request, commitment_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    form = CommitmentForm(
        request.POST if request.method == "POST" else None,
        areas=_chosen_areas(application),
        initial={"area": str(commitment.area_id), "text": commitment.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_save(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                application=application,
                area=form.chosen_area,
                text=form.cleaned_data["text"],
                commitment=commitment,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Commitment saved.")
            return redirect(_commitments_url(request, application))
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Change the commitment",
            "caption": application.organisation.name,
            "submit_label": "Save commitment",
            "cancel_url": _commitments_url(request, application),
            "breadcrumbs": application_crumbs(
                request,
                application,
                ("Commitments", _commitments_url(request, application)),
                ("Change", ""),
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def commitment_remove(request, commitment_id):
    commitment, view = _commitment_view(request, commitment_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    back = _commitments_url(request, application)
    if request.method == "POST":
        try:
            services.commitment_remove(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                commitment=commitment,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Commitment removed.")
        return redirect(back)
    return render(
        request,
        "awards/applications/commitment_remove.html",
        {
            "commitment": commitment,
            "application": application,
            "back": back,
            "breadcrumbs": application_crumbs(
                request, application, ("Commitments", back), ("Remove", "")
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def commitment_kvis(request, commitment_id):
    commitment, view = _commitment_view(request, commitment_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    kvis = list(
        kvi_list(tenant=request.tenant, access=request.access).filter(
            organisation_id=application.organisation_id
        )
    )
    linked = [str(link.kvi_id) for link in commitment.kvi_links.all()]
    form = CommitmentKvisForm(
        request.POST if request.method == "POST" else None,
        kvis=kvis,
        initial={"kvis": linked},
    )
    back = _commitments_url(request, application)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_kvis_set(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                commitment=commitment,
                kvis=form.chosen_kvis,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "KVIs linked.")
            return redirect(back)
    return render(
        request,
        "awards/applications/commitment_kvis.html",
        {
            "form": form,
            "commitment": commitment,
            "application": application,
            "kvis": kvis,
            "back": back,
            "breadcrumbs": application_crumbs(
                request, application, ("Commitments", back), ("KVIs", "")
            ),
        },
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/commitments/",
        application_commitments,
        name="application_commitments",
    ),
    path("commitments/<uuid:commitment_id>/edit/", commitment_edit, name="commitment_edit"),
    path("commitments/<uuid:commitment_id>/remove/", commitment_remove, name="commitment_remove"),
    path("commitments/<uuid:commitment_id>/kvis/", commitment_kvis, name="commitment_kvis"),
]
