"""The programme team's dashboard of award applications: every application with status and
scheme filters, a search by organisation, pagination, the decision clock (working days left or
overdue, from awards.selectors.decision_clock) and the appeals waiting for a panel.

Thin: awards.selectors.team and awards.selectors read."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from awards import selectors
from awards.forms.assessment import DashboardFilterForm
from awards.models import ApplicationStatus
from awards.selectors import team as team_selectors
from awards.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
def award_dashboard(request):
    tenant = request.tenant
    schemes = list(team_selectors.schemes_for_filter(tenant=tenant))
    filters = DashboardFilterForm(request.GET or None, schemes=schemes)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status, scheme, search = chosen.get("status", ""), chosen.get("scheme", ""), chosen.get("q", "")
    applications = team_selectors.dashboard_applications(
        tenant=tenant, status=status, scheme_id=scheme or None, search=search
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "application": application,
            "clock": selectors.decision_clock(application),
        }
        for application in page
    ]
    return render(
        request,
        "awards/assessment/dashboard.html",
        {
            "filters": filters,
            "filtered": bool(status or scheme or search),
            "status_label": ApplicationStatus(status).label if status else "",
            "search": search,
            "page_obj": page,
            "rows": rows,
            "querystring": urlencode(
                {k: v for k, v in (("q", search), ("status", status), ("scheme", scheme)) if v}
            ),
            "appeals_waiting": selectors.appeals_waiting(tenant=tenant).count(),
            "breadcrumbs": crumbs(tenant, ("Applications", "")),
        },
    )


urlpatterns = [path("applications/", award_dashboard, name="award_dashboard")]
