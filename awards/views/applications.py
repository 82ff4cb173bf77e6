"""Award pages for applicants, and the application page everyone allowed shares: the awards
landing page, starting or renewing an application, and the application itself (status and
history, answers, commitments with KVIs, evidence, what is missing, Level 1 tracking and the
decision letter once sent), with links by role to the other award pages.

Thin: awards.selectors and awards.selectors.applicants read, awards.services write. This module's
`urlpatterns` also carries the other applicant modules' pages (answers, commitments, sharing,
states) so awards/urls.py needs no change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.applications import RenewForm, StartForm
from awards.models import (
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    ApplicationStatus,
    DecisionStatus,
    SchemeStatus,
)
from awards.rules import applicable_criteria, application_missing
from awards.selectors import applicants as applicant_selectors
from awards.tracking import application_tracking
from awards.views import answers, application_states, commitments, sharing
from awards.views.application_common import crumbs, detail_url, view_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

S = ApplicationStatus
HOME_PAGE_SIZE = 20


@tenant_view()
def award_home(request):
    tenant, access = request.tenant, request.access
    flags = access.flags()
    if not flags["view_awards"]:
        raise PermissionDenied("You have no part in this programme's awards.")
    own = access.organisations_with(Perm.VIEW_OWN_AWARD_APPLICATIONS)
    applying = set(access.organisations_with(Perm.APPLY_FOR_AWARD))
    page = held = open_versions = None
    live_by_scheme: dict = {}
    if own:
        page = Paginator(
            selectors.application_list(tenant=tenant, access=access, user=request.user).filter(
                organisation_id__in=own
            ),
            HOME_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        for application in applicant_selectors.live_applications_for(
            tenant=tenant, organisation_ids=own
        ):
            live_by_scheme.setdefault(application.scheme_id, []).append(application)
        held = list(applicant_selectors.awards_held_for(tenant=tenant, organisation_ids=own))
    if applying:
        open_versions = list(selectors.open_scheme_versions(tenant=tenant))
    open_schemes = {v.scheme_id for v in open_versions or []}
    for award in held or []:
        live = [
            a
            for a in live_by_scheme.get(award.scheme_id, [])
            if a.organisation_id == award.organisation_id
        ]
        award.live_application = live[0] if live else None
        award.may_renew = (
            award.organisation_id in applying
            and award.revoked_at is None
            and award.scheme_id in open_schemes
            and not live
        )
    for version in open_versions or []:
        version.live_applications = live_by_scheme.get(version.scheme_id, [])
    return render(
        request,
        "awards/applications/home.html",
        {
            "flags": flags,
            "page_obj": page,
            "held": held,
            "open_versions": open_versions,
            "breadcrumbs": crumbs(tenant)[:-1] + [("Awards", "")],
        },
    )


def _open_version_or_404(request, version_id):
    version = selectors.scheme_version_get(tenant=request.tenant, pk=version_id)
    if version is None or version.status != SchemeStatus.OPEN:
        raise Http404("This award is not open for applications.")
    return version


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_start(request, version_id):
    tenant, access = request.tenant, request.access
    applying = access.organisations_with(Perm.APPLY_FOR_AWARD)
    if not applying:
        raise PermissionDenied("Only an organisation admin can apply for an award.")
    version = _open_version_or_404(request, version_id)
    organisations = applicant_selectors.applying_organisations(
        tenant=tenant, organisation_ids=applying
    )
    if not organisations:
        raise PermissionDenied("Your organisation does not take part in this programme.")
    form = StartForm(
        request.POST if request.method == "POST" else None,
        version=version,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                tenant=tenant,
                actor=request.user,
                access=access,
                organisation=form.organisation,
                version=version,
                level=form.level,
                area_codes=form.area_codes,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Application started for {application.level.name}.")
            return redirect(detail_url(request, application))
    return render(
        request,
        "awards/applications/start.html",
        {
            "form": form,
            "version": version,
            "windows": list(version.windows.all()),
            "breadcrumbs": crumbs(tenant, (f"Apply for {version.name}", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_renew(request, award_id):
    tenant, access = request.tenant, request.access
    award = applicant_selectors.award_get(tenant=tenant, pk=award_id)
    if award is None or not access.can(
        Perm.VIEW_OWN_AWARD_APPLICATIONS, organisation_id=award.organisation_id
    ):
        raise Http404("No such award, or not one of your organisation's.")
    access.require(Perm.APPLY_FOR_AWARD, organisation_id=award.organisation_id)
    version = applicant_selectors.open_version_of_scheme(tenant=tenant, scheme_id=award.scheme_id)
    same_level = None
    if version is not None:
        same_level = next((lv for lv in version.levels.all() if lv.code == award.level.code), None)
    form = None
    if version is not None:
        form = RenewForm(
            request.POST if request.method == "POST" else None,
            version=version,
            initial={"level": str(same_level.pk)} if same_level else None,
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            application = services.application_start(
                tenant=tenant,
                actor=request.user,
                access=access,
                organisation=award.organisation,
                version=version,
                level=form.level,
                renew=award,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, "Renewal started from your last application: check and update it."
            )
            return redirect(detail_url(request, application))
    return render(
        request,
        "awards/applications/renew.html",
        {
            "form": form,
            "award": award,
            "version": version,
            "breadcrumbs": crumbs(tenant, (f"Renew {award.level.name}", "")),
        },
    )


def _role_links(view, application) -> dict:
    status = application.status
    applicant = view.as_applicant
    return {
        "edit": view.can_edit,
        "submit": applicant and view.can_act_for_organisation and status == S.DRAFT,
        "resubmit": applicant
        and view.can_act_for_organisation
        and status == S.MORE_INFORMATION_REQUESTED,
        "withdraw": applicant and view.can_act_for_organisation and status in LIVE_STATUSES,
        "appeal": applicant and view.can_act_for_organisation and status == S.NOT_AWARDED,
        "renew_from": applicant and view.can_act_for_organisation,
        "share": applicant and view.can_edit,
        "manage": view.as_manager,
        "ask_information": view.as_manager
        and status in (S.SUBMITTED, S.IN_ASSESSMENT, S.RESUBMITTED),
        "score": view.can_score,
        "declare": view.must_declare,
    }


@tenant_view()
def application_detail(request, application_id):
    tenant = request.tenant
    view = view_or_404(request, application_id)
    application = view.application
    context = {
        "view": view,
        "application": application,
        "links": _role_links(view, application),
        "breadcrumbs": crumbs(tenant, (application.organisation.name, "")),
    }
    if view.can_read:
        answers_by_criterion = selectors.application_answers(tenant=tenant, application=application)
        files = list(selectors.evidence_list(tenant=tenant, application=application, history=True))
        decision = selectors.decision_get(tenant=tenant, application=application)
        context.update(
            {
                "area_names": [
                    area.name
                    for area in application.version.areas.all()
                    if area.code in application.area_codes
                ],
                "answer_rows": [
                    (criterion, answers_by_criterion.get(criterion.pk))
                    for criterion in applicable_criteria(tenant=tenant, application=application)
                ],
                "events": list(
                    selectors.application_events(tenant=tenant, application=application)
                ),
                "commitments": selectors.application_commitments(
                    tenant=tenant, application=application
                ),
                "current_files": [f for f in files if f.is_current],
                "past_files": [f for f in files if not f.is_current],
                "missing": application_missing(tenant=tenant, application=application)
                if application.status in EDITABLE_STATUSES
                else [],
                "tracking": application_tracking(tenant=tenant, application=application),
                "letter": decision
                if decision is not None and decision.status == DecisionStatus.SENT
                else None,
                "awards_made": list(application.awards.all()),
            }
        )
    return render(request, "awards/applications/detail.html", context)


urlpatterns: list = [
    path("", award_home, name="award_home"),
    path("schemes/<uuid:version_id>/apply/", application_start, name="application_start"),
    path("held/<uuid:award_id>/renew/", application_renew, name="application_renew"),
    path("applications/<uuid:application_id>/", application_detail, name="application_detail"),
    *answers.urlpatterns,
    *commitments.urlpatterns,
    *sharing.urlpatterns,
    *application_states.urlpatterns,
]
