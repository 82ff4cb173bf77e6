"""Moving an application on, by the applying organisation's admins, each after a confirmation
page: submitting a complete draft (showing what is still missing), withdrawing with a reason
and resubmitting with a note after the programme team asked for more information."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from awards import services
from awards.forms.applications import ResubmitForm, WithdrawForm
from awards.models import LIVE_STATUSES, ApplicationStatus
from awards.rules import application_missing
from awards.views.application_common import (
    applicant_view,
    application_crumbs,
    detail_url,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

S = ApplicationStatus


def _wrong_status(request, application, doing: str):
    messages.info(
        request,
        f"This application is {application.get_status_display().lower()}: it cannot be "
        f"{doing} now.",
    )
    return redirect(detail_url(request, application))


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_submit(request, application_id):
    view = applicant_view(request, application_id, Perm.APPLY_FOR_AWARD)
    application = view.application
    if application.status != S.DRAFT:
        return _wrong_status(request, application, "submitted")
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.application_submit(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                application=application,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "Application submitted. The programme team has been told.")
            return redirect(detail_url(request, application))
    missing = application_missing(tenant=request.tenant, application=application)
    return render(
        request,
        "awards/applications/submit.html",
        {
            "application": application,
            "missing": missing,
            "errors": errors,
            "decision_days": application.version.decision_working_days,
            "breadcrumbs": application_crumbs(request, application, ("Submit", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_withdraw(request, application_id):
    view = applicant_view(request, application_id, Perm.APPLY_FOR_AWARD)
    application = view.application
    if application.status not in LIVE_STATUSES:
        return _wrong_status(request, application, "withdrawn")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                application=application,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Application withdrawn.")
            return redirect(detail_url(request, application))
    return render(
        request,
        "awards/applications/withdraw.html",
        {
            "form": form,
            "application": application,
            "breadcrumbs": application_crumbs(request, application, ("Withdraw", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_resubmit(request, application_id):
    view = applicant_view(request, application_id, Perm.APPLY_FOR_AWARD)
    application = view.application
    if application.status != S.MORE_INFORMATION_REQUESTED:
        return _wrong_status(request, application, "resubmitted")
    form = ResubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_resubmit(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                application=application,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Application resubmitted to the assessors.")
            return redirect(detail_url(request, application))
    return render(
        request,
        "awards/applications/resubmit.html",
        {
            "form": form,
            "application": application,
            "missing": application_missing(tenant=request.tenant, application=application),
            "breadcrumbs": application_crumbs(request, application, ("Resubmit", "")),
        },
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/submit/",
        application_submit,
        name="application_submit",
    ),
    path(
        "applications/<uuid:application_id>/withdraw/",
        application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<uuid:application_id>/resubmit/",
        application_resubmit,
        name="application_resubmit",
    ),
]
