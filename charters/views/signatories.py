"""Signatories for the programme team: the charter's dashboard, the list of signatories,
deciding on a signature, deciding on tier applications, and exports of the register and the
pledges.

Thin: charters.selectors read, charters.services write (and check permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from charters import exports, selectors, services
from charters.forms.admin import (
    SignatoryDecisionForm,
    SignatoryFilterForm,
    TierApplicationDecisionForm,
)
from charters.models import SignatoryStatus, TierApplication
from charters.views.common import charter_or_404, crumbs, posted
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25
EXPORTS = ("register", "pledges")
EXPORT_FORMATS = ("csv", "xlsx")


# --- Dashboard -------------------------------------------------------------------------------

CHART_HEIGHT = 160
CHART_BAR_WIDTH = 32
CHART_GAP = 12
CHART_TOP = 20  # room for the value above the tallest bar
CHART_BOTTOM = 24  # room for the month under each bar


def _month_bars(by_month) -> dict | None:
    """Geometry for a server-rendered SVG bar chart of approvals per month."""
    if not by_month:
        return None
    tallest = max(n for _, n in by_month) or 1
    bars = []
    for index, (month, n) in enumerate(by_month):
        height = round(n / tallest * (CHART_HEIGHT - CHART_TOP - CHART_BOTTOM))
        x = CHART_GAP + index * (CHART_BAR_WIDTH + CHART_GAP)
        y = CHART_HEIGHT - CHART_BOTTOM - height
        bars.append(
            {
                "month": month,
                "n": n,
                "x": x,
                "y": y,
                "height": height,
                "label_x": x + CHART_BAR_WIDTH // 2,
                "value_y": y - 4,
            }
        )
    return {
        "bars": bars,
        "width": CHART_GAP + len(by_month) * (CHART_BAR_WIDTH + CHART_GAP),
        "height": CHART_HEIGHT,
        "bar_width": CHART_BAR_WIDTH,
        "axis_y": CHART_HEIGHT - CHART_BOTTOM,
        "month_y": CHART_HEIGHT - 8,
    }


@tenant_view(Perm.MANAGE_CHARTERS)
def charter_dashboard(request, charter_slug):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    dashboard = selectors.charter_dashboard(tenant=tenant, charter=charter)
    return render(
        request,
        "charters/admin/dashboard.html",
        {
            "charter": charter,
            "dashboard": dashboard,
            "chart": _month_bars(dashboard.by_month),
            "breadcrumbs": crumbs(tenant, charter, ("Dashboard", "")),
        },
    )


# --- Signatories -----------------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def signatory_list(request, charter_slug):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    filters = SignatoryFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    signatories = selectors.signatory_list(tenant=tenant, charter=charter, status=status)
    page = Paginator(signatories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "charters/admin/signatory_list.html",
        {
            "charter": charter,
            "filters": filters,
            "status": status,
            "status_label": SignatoryStatus(status).label if status else "",
            "page_obj": page,
            "querystring": f"status={status}" if status else "",
            "pending_count": (
                selectors.pending_signatures(tenant=tenant, charter=charter).count()
                if status != SignatoryStatus.PENDING
                else page.paginator.count
            ),
            "breadcrumbs": crumbs(tenant, charter, ("Signatories", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def signatory_review(request, charter_slug, signatory_id):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    signatory = selectors.signatory_get(tenant=tenant, charter=charter, signatory_id=signatory_id)
    if signatory is None:
        raise Http404("No such signatory of this charter.")
    pending = signatory.status == SignatoryStatus.PENDING
    form = SignatoryDecisionForm(posted(request)) if pending else None
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                f"Only a signature waiting for approval can be decided; this one is "
                f"{signatory.get_status_display().lower()}.",
            )
            return redirect("signatory_review", tenant.slug, charter.slug, signatory.id)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                services.signatory_decide(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    signatory=signatory,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _decision_message(signatory.organisation, decision))
                return redirect("signatory_list", tenant.slug, charter.slug)
    return render(
        request,
        "charters/admin/signatory_review.html",
        {
            "charter": charter,
            "signatory": signatory,
            "form": form,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                ("Signatories", reverse("signatory_list", args=[tenant.slug, charter.slug])),
                (signatory.organisation.name, ""),
            ),
        },
    )


def _decision_message(organisation, decision: str) -> str:
    if decision == services.Decision.APPROVE:
        return f"{organisation.name} approved: it is now on the register."
    if decision == services.Decision.REQUEST_CHANGES:
        return f"Changes asked of {organisation.name}. Its admins have been emailed."
    return f"{organisation.name}'s signature rejected. Its admins have been emailed."


# --- Tier applications -----------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def tier_application_list(request, charter_slug):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "charters/admin/tier_application_list.html",
        {
            "charter": charter,
            "applications": list(
                selectors.tier_application_list(
                    tenant=tenant, charter=charter, open_only=not show_all
                )
            ),
            "show_all": show_all,
            "breadcrumbs": crumbs(tenant, charter, ("Tier applications", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_application_review(request, charter_slug, application_id):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    application = (
        selectors.tier_application_list(tenant=tenant, charter=charter, open_only=False)
        .filter(id=application_id)
        .first()
    )
    if application is None:
        raise Http404("No such tier application.")
    is_open = application.status in (
        TierApplication.Status.PENDING,
        TierApplication.Status.AT_PANEL,
    )
    form = (
        TierApplicationDecisionForm(posted(request), application=application) if is_open else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(request, "This application has already been decided.")
            return redirect("tier_application_review", tenant.slug, charter.slug, application.id)
        if form.is_valid():
            try:
                decided = services.tier_application_decide(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    application=application,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    panel_notes=form.cleaned_data["panel_notes"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"{application.signatory.organisation.name}: application "
                    f"{decided.get_status_display().lower()}.",
                )
                return redirect("tier_application_list", tenant.slug, charter.slug)
    organisation = application.signatory.organisation
    return render(
        request,
        "charters/admin/tier_application_review.html",
        {
            "charter": charter,
            "application": application,
            "organisation": organisation,
            "form": form,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                (
                    "Tier applications",
                    reverse("tier_application_list", args=[tenant.slug, charter.slug]),
                ),
                (organisation.name, ""),
            ),
        },
    )


# --- Exports ---------------------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def charter_export(request, charter_slug, what, file_format):
    if what not in EXPORTS or file_format not in EXPORT_FORMATS:
        raise Http404("No such export.")
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    rows_for = exports.register_rows if what == "register" else exports.pledge_rows
    rows = rows_for(tenant=tenant, charter=charter)
    filename = f"{charter.slug}-{what}.{file_format}"
    if file_format == "csv":
        return exports.to_csv_response(rows, filename)
    return exports.to_xlsx_response(rows, filename)
