"""Appeal pages. An unsuccessful applicant appeals within the scheme's working days (the page
shows the deadline and the working days left; after it, a clear refusal); the programme team
sees every appeal with both clocks, records appeals received by post or email, and appoints a
panel of people not involved in the assessment; a panel member records the panel's decision.

Thin: awards.selectors.appeals and awards.selectors read, awards.services write (and check
permission and the clocks again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.appeals import (
    AppealDecisionForm,
    AppealFilterForm,
    AppealForm,
    PanelForm,
    RecordAppealForm,
)
from awards.models import AppealStatus, ApplicationStatus, DecisionOutcome, DecisionStatus
from awards.selectors.appeals import (
    appeal_get_for_user,
    appeal_list_for_user,
    decisions_open_to_appeal,
    lodge_clock,
    lodged_margin,
    may_list_appeals,
    panel_candidates,
)
from awards.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25


def _appeals_crumb(request) -> tuple[str, str]:
    return ("Appeals", reverse("appeal_list", args=[request.tenant.slug]))


def _application_url(request, application) -> str:
    return reverse("application_detail", args=[request.tenant.slug, application.pk])


# --- The list --------------------------------------------------------------------------------


@tenant_view()
def appeal_list(request):
    """The programme team: every appeal with the lodge clock (how many working days were left
    when it was lodged) and the panel's clock, and the decisions still open to appeal. A panel
    member: the appeals they sit on."""
    access = request.access
    if not may_list_appeals(access):
        raise PermissionDenied("Only the programme team and appeal panel members see appeals.")
    form = AppealFilterForm(request.GET or None)
    status = search = ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    appeals = appeal_list_for_user(
        tenant=request.tenant, access=access, user=request.user, status=status, search=search
    )
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    as_manager = access.can(Perm.MANAGE_AWARD_APPLICATIONS)
    rows = [
        {
            "appeal": appeal,
            "clock": selectors.appeal_clock(appeal, today),
            "margin": lodged_margin(appeal),
            "panel": [member.member for member in appeal.panel.all()],
            "may_decide": appeal.status == AppealStatus.LODGED
            and any(member.member_id == request.user.pk for member in appeal.panel.all()),
            "application_url": _application_url(request, appeal.application),
        }
        for appeal in page
    ]
    open_rows = (
        [
            {
                "decision": row.decision,
                "clock": row.clock,
                "application_url": _application_url(request, row.decision.application),
            }
            for row in decisions_open_to_appeal(tenant=request.tenant, today=today)
        ]
        if as_manager
        else []
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "awards/appeals/list.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page,
            "querystring": query.urlencode(),
            "filtered": bool(status or search),
            "as_manager": as_manager,
            "open_rows": open_rows,
            "dashboard_url": reverse("award_dashboard", args=[request.tenant.slug]),
            "breadcrumbs": crumbs(request.tenant, ("Appeals", "")),
        },
    )


# --- Lodging ---------------------------------------------------------------------------------


@tenant_view()
@require_http_methods(["GET", "POST"])
def appeal_lodge(request, application_id):
    """The applicant's appeal against a decision not to award: the deadline and the working
    days left, reasons required, refused with a clear message once the time has passed. The
    programme team records an appeal that reached them another way, with the day received."""
    tenant = request.tenant
    view = selectors.application_get_for_user(
        tenant=tenant, access=request.access, user=request.user, pk=application_id
    )
    if view is None:
        raise Http404("No such application.")
    application = view.application
    if view.as_manager:
        form_class = RecordAppealForm
    elif view.as_applicant and view.can_act_for_organisation:
        form_class = AppealForm
    else:
        raise PermissionDenied(
            f"Only an organisation admin of {application.organisation.name} can appeal."
        )
    decision = selectors.decision_get(tenant=tenant, application=application)
    appealable = (
        decision is not None
        and decision.status == DecisionStatus.SENT
        and decision.outcome == DecisionOutcome.NOT_AWARDED
        and application.status == ApplicationStatus.NOT_AWARDED
    )
    appeal = selectors.appeal_get(tenant=tenant, application=application)
    clock = lodge_clock(decision) if appealable else None
    closed = clock is not None and clock.overdue and not view.as_manager
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_lodge(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                application=application,
                reasons=form.cleaned_data["reasons"],
                received_on=form.cleaned_data.get("received_on"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The appeal for {application.organisation.name} is lodged.")
            return redirect("appeal_lodge", tenant.slug, application.pk)
    application_url = _application_url(request, application)
    return render(
        request,
        "awards/appeals/lodge.html",
        {
            "form": form,
            "view": view,
            "application": application,
            "decision": decision,
            "appealable": appealable,
            "appeal": appeal,
            "appeal_clock": selectors.appeal_clock(appeal) if appeal else None,
            "clock": clock,
            "sent_on": timezone.localdate(decision.sent_at) if appealable else None,
            "closed": closed,
            "application_url": application_url,
            "breadcrumbs": crumbs(
                tenant,
                (application.organisation.name, application_url),
                ("Appeal", ""),
            ),
        },
    )


# --- The panel -------------------------------------------------------------------------------


def _appeal_or_404(request, appeal_id):
    appeal_view = appeal_get_for_user(
        tenant=request.tenant, access=request.access, user=request.user, pk=appeal_id
    )
    if appeal_view is None:
        raise Http404("No such appeal.")
    return appeal_view


@tenant_view()
@require_http_methods(["GET", "POST"])
def appeal_panel(request, appeal_id):
    """The programme team appoints (or replaces) the panel."""
    appeal_view = _appeal_or_404(request, appeal_id)
    if not appeal_view.as_manager:
        raise PermissionDenied("Only the programme team appoints appeal panels.")
    appeal = appeal_view.appeal
    tenant = request.tenant
    candidates = panel_candidates(tenant=tenant, appeal=appeal)
    initial = {"members": [str(user.pk) for user in appeal_view.panel]}
    form = PanelForm(
        request.POST if request.method == "POST" else None, candidates=candidates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["members"])
        try:
            services.appeal_panel_appoint(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                appeal=appeal,
                members=[c.user for c in candidates if str(c.user.pk) in chosen],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Panel appointed for {appeal.application.organisation.name}'s appeal."
            )
            return redirect("appeal_list", tenant.slug)
    return render(
        request,
        "awards/appeals/panel.html",
        {
            "form": form,
            "appeal": appeal,
            "decided": appeal.status != AppealStatus.LODGED,
            "clock": selectors.appeal_clock(appeal),
            "application_url": _application_url(request, appeal.application),
            "cancel_url": reverse("appeal_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(tenant, _appeals_crumb(request), ("Panel", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def appeal_decide(request, appeal_id):
    """A panel member records the panel's decision: allowed (the award is made) or dismissed."""
    appeal_view = _appeal_or_404(request, appeal_id)
    if not appeal_view.on_panel:
        raise PermissionDenied("Only a member of the appeal panel can record its decision.")
    appeal = appeal_view.appeal
    tenant = request.tenant
    form = AppealDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_decide(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                appeal=appeal,
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The panel's decision on {appeal.application.organisation.name}'s appeal is "
                "recorded and sent.",
            )
            return redirect("appeal_list", tenant.slug)
    return render(
        request,
        "awards/appeals/decide.html",
        {
            "form": form,
            "appeal": appeal,
            "decided": appeal.status != AppealStatus.LODGED,
            "clock": selectors.appeal_clock(appeal),
            "panel": appeal_view.panel,
            "application_url": _application_url(request, appeal.application),
            "breadcrumbs": crumbs(tenant, _appeals_crumb(request), ("Decide", "")),
        },
    )


urlpatterns = [
    path("appeals/", appeal_list, name="appeal_list"),
    path("applications/<uuid:application_id>/appeal/", appeal_lodge, name="appeal_lodge"),
    path("appeals/<uuid:appeal_id>/panel/", appeal_panel, name="appeal_panel"),
    path("appeals/<uuid:appeal_id>/decide/", appeal_decide, name="appeal_decide"),
]
