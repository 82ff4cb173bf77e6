"""The programme team's anchor charter pages: the pillars with their principles and
priorities (adding, changing and removing them on a draft version), the evidence framework
(pillar metrics: adding one, seeding the defaults, changing one's pillar, place or collective
impact, removing one after a confirmation) and the member list (searched by organisation name,
a page at a time: sector, status, disclosure, priorities committed, joined date, linked to the
charters' signatory review for approval). Reporting rounds and the review of returns:
anchors.views.admin_rounds, whose URL patterns are joined here.

Everyone with a role reads the priorities and the framework of a published charter; only the
programme team (MANAGE_CHARTERS) changes them or sees the member list. Thin: anchors.selectors
and anchors.selectors.admin read, anchors.services write (and check permissions again)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from anchors import selectors, services
from anchors.forms.admin import (
    MemberSearchForm,
    PillarMetricChangeForm,
    PillarMetricForm,
    PriorityForm,
)
from anchors.models import Disclosure
from anchors.selectors import admin as admin_selectors
from anchors.services.framework import DEFAULT_METRICS
from anchors.views import admin_rounds
from anchors.views.admin_common import (
    anchor_charter_or_404,
    crumbs,
    error_text,
    is_team,
    posted,
    url,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

MEMBERS_PER_PAGE = 25


# --- Priorities ------------------------------------------------------------------------------


def _version_or_404(request, charter, number=None):
    versions = admin_selectors.readable_versions(charter, request.access)
    if number is None:
        version = admin_selectors.default_version(versions, team=is_team(request))
    else:
        version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404("No such version of this charter.")
    return version, versions


def _editable(version) -> bool:
    return version.status in admin_selectors.EDITABLE_VERSION


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_priorities(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    number = request.GET.get("version", "")
    version, versions = _version_or_404(request, charter, int(number) if number.isdigit() else None)
    return render(
        request,
        "anchors/admin/priorities.html",
        {
            "charter": charter,
            "version": version,
            "versions": versions,
            "pillars": selectors.pillars_with_priorities(tenant=tenant, version=version),
            "can_edit": is_team(request) and _editable(version),
            "team": is_team(request),
            "breadcrumbs": crumbs(tenant, None, (charter.title, "")),
        },
    )


def _priorities_url(request, charter, version) -> str:
    return url("anchor_priorities", request, charter) + f"?version={version.number}"


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_priority_edit(request, charter_slug, number=None, priority_id=None):
    """Add a principle or priority to a version (`number`) or change one (`priority_id`)."""
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    priority = None
    if priority_id is not None:
        priority = admin_selectors.priority_get(tenant=tenant, charter=charter, pk=priority_id)
        if priority is None:
            raise Http404("No such priority of this charter.")
        number = priority.version.number
    version, _versions = _version_or_404(request, charter, number)
    back = _priorities_url(request, charter, version)
    if not _editable(version):
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: its "
            "priorities can no longer change. Start a new version of the charter instead.",
        )
        return redirect(back)
    pillars = list(version.themes.order_by("position"))
    initial = {}
    if priority is not None:
        initial = {"pillar": str(priority.pillar_id), "kind": priority.kind, "text": priority.text}
    form = PriorityForm(posted(request), initial=initial or {"kind": "priority"}, pillars=pillars)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.priority_save(
                **writer(request),
                pillar=form.cleaned_data["pillar"],
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                priority=priority,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"'{saved.text}' saved under {saved.pillar.name}.")
            return redirect(back)
    title = "Change a principle or priority" if priority else "Add a principle or priority"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": f"{charter.title}, version {version.number}",
            "submit_label": "Save",
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, charter, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_priority_remove(request, charter_slug, priority_id):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    priority = admin_selectors.priority_get(tenant=tenant, charter=charter, pk=priority_id)
    if priority is None:
        raise Http404("No such priority of this charter.")
    back = _priorities_url(request, charter, priority.version)
    if request.method == "POST":
        try:
            services.priority_remove(**writer(request), priority=priority)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, f"'{priority.text}' removed.")
        return redirect(back)
    return render(
        request,
        "anchors/admin/priority_remove.html",
        {
            "charter": charter,
            "priority": priority,
            "editable": _editable(priority.version),
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, charter, ("Remove a priority", "")),
        },
    )


# --- The evidence framework --------------------------------------------------------------------


def _pillars(request, charter):
    version, _versions = _version_or_404(request, charter)
    return list(version.themes.order_by("position"))


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_framework(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    pillars = _pillars(request, charter)
    metrics = list(selectors.pillar_metric_list(tenant=tenant, charter=charter))
    groups = [(p, [m for m in metrics if m.pillar_code == p.code]) for p in pillars]
    known = {p.code for p in pillars}
    others = [m for m in metrics if m.pillar_code not in known]
    codes = {m.metric.code for m in metrics}
    return render(
        request,
        "anchors/admin/framework.html",
        {
            "charter": charter,
            "groups": groups,
            "others": others,
            "metric_count": len(metrics),
            "defaults_missing": sum(1 for spec in DEFAULT_METRICS if spec.code not in codes),
            "team": is_team(request),
            "breadcrumbs": crumbs(tenant, charter, ("Evidence framework", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_framework_add(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    back = url("anchor_framework", request, charter)
    form = PillarMetricForm(
        posted(request),
        pillars=_pillars(request, charter),
        metrics=admin_selectors.addable_metrics(tenant=tenant, charter=charter),
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.pillar_metric_add(
                **writer(request), charter=charter, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{added.metric.name} added to the evidence framework.")
            return redirect(back)
    title = "Add a metric to the evidence framework"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": "Members report a figure for every metric in each round, in the metric's "
            "unit. To report something new, add the metric to a KVI framework first.",
            "submit_label": "Add metric",
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, charter, ("Evidence framework", back), (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_framework_seed(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    back = url("anchor_framework", request, charter)
    if request.method == "POST":
        try:
            added = services.pillar_metrics_seed(**writer(request), charter=charter)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            if added:
                messages.success(
                    request, f"{added} default metric{'s' if added != 1 else ''} added."
                )
            else:
                messages.info(request, "Every default metric is already in the framework.")
        return redirect(back)
    return render(
        request,
        "anchors/admin/framework_seed.html",
        {
            "charter": charter,
            "defaults": DEFAULT_METRICS,
            "cancel_url": back,
            "breadcrumbs": crumbs(
                tenant, charter, ("Evidence framework", back), ("Add the default metrics", "")
            ),
        },
    )


def _pillar_metric_or_404(request, charter, metric_id):
    pillar_metric = admin_selectors.pillar_metric_get(
        tenant=request.tenant, charter=charter, pk=metric_id
    )
    if pillar_metric is None:
        raise Http404("No such metric in this evidence framework.")
    return pillar_metric


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_framework_edit(request, charter_slug, metric_id):
    """Move a metric to another pillar or place, or in or out of the collective impact."""
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    pillar_metric = _pillar_metric_or_404(request, charter, metric_id)
    back = url("anchor_framework", request, charter)
    form = PillarMetricChangeForm(
        posted(request),
        pillars=_pillars(request, charter),
        initial={
            "pillar_code": pillar_metric.pillar_code,
            "position": admin_selectors.pillar_position(tenant=tenant, pillar_metric=pillar_metric),
            "in_collective_total": pillar_metric.in_collective_total,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pillar_metric_update(
                **writer(request), pillar_metric=pillar_metric, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{pillar_metric.metric.name} saved.")
            return redirect(back)
    title = "Change a metric of the evidence framework"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": f"{pillar_metric.metric.name}, {pillar_metric.metric.code}",
            "intro": "Figures members have already reported stay with the metric. Its name, "
            "definition and unit are the KVI engine's: change them in its KVI framework.",
            "submit_label": "Save changes",
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, charter, ("Evidence framework", back), (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_framework_remove(request, charter_slug, metric_id):
    """Confirm, then take a metric out of the evidence framework (refused while accepted
    returns have figures for it)."""
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    pillar_metric = _pillar_metric_or_404(request, charter, metric_id)
    back = url("anchor_framework", request, charter)
    name = pillar_metric.metric.name
    if request.method == "POST":
        try:
            removed = services.pillar_metric_remove(**writer(request), pillar_metric=pillar_metric)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            also = (
                f" {removed} figure{'s' if removed != 1 else ''} in returns not yet accepted "
                f"{'were' if removed != 1 else 'was'} removed with it."
                if removed
                else ""
            )
            messages.success(request, f"{name} removed from the evidence framework.{also}")
        return redirect(back)
    title = "Remove a metric"
    return render(
        request,
        "anchors/admin/framework_remove.html",
        {
            "charter": charter,
            "pillar_metric": pillar_metric,
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, charter, ("Evidence framework", back), (title, "")),
        },
    )


# --- Members -----------------------------------------------------------------------------------


def _member_query(search: str, show: str) -> str:
    """The member list's query string (without the page) for a search and a filter."""
    return urlencode([(key, value) for key, value in (("q", search), ("show", show)) if value])


@tenant_view(Perm.MANAGE_CHARTERS)
def anchor_member_list(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    show = request.GET.get("show", "")
    if show not in admin_selectors.MEMBER_FILTERS:
        show = ""
    search_form = MemberSearchForm(request.GET)
    search = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    page_obj = Paginator(
        admin_selectors.member_rows_queryset(
            tenant=tenant, charter=charter, show=show, search=search
        ),
        MEMBERS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    counts = admin_selectors.member_counts(tenant=tenant, charter=charter, search=search)
    labels = {"": "All"} | {k: label for k, (label, _) in admin_selectors.MEMBER_FILTERS.items()}
    filters = [
        (key, label, counts[key or "all"], _member_query(search, key))
        for key, label in labels.items()
    ]
    return render(
        request,
        "anchors/admin/member_list.html",
        {
            "charter": charter,
            "rows": [admin_selectors.member_row(s) for s in page_obj.object_list],
            "page_obj": page_obj,
            "querystring": _member_query(search, show),
            "show": show,
            "show_label": admin_selectors.MEMBER_FILTERS[show][0] if show else "",
            "search": search,
            "search_form": search_form,
            "filters": filters,
            "anonymised": Disclosure.ANONYMISED,
            "breadcrumbs": crumbs(tenant, charter, ("Members", "")),
        },
    )


urlpatterns = [
    path("<slug:charter_slug>/priorities/", anchor_priorities, name="anchor_priorities"),
    # anchor_priority_edit: add (with the version's number) or change (with the priority's id).
    path(
        "<slug:charter_slug>/priorities/versions/<int:number>/new/",
        anchor_priority_edit,
        name="anchor_priority_edit",
    ),
    path(
        "<slug:charter_slug>/priorities/<uuid:priority_id>/edit/",
        anchor_priority_edit,
        name="anchor_priority_edit",
    ),
    path(
        "<slug:charter_slug>/priorities/<uuid:priority_id>/remove/",
        anchor_priority_remove,
        name="anchor_priority_remove",
    ),
    path("<slug:charter_slug>/framework/", anchor_framework, name="anchor_framework"),
    path("<slug:charter_slug>/framework/add/", anchor_framework_add, name="anchor_framework_add"),
    path(
        "<slug:charter_slug>/framework/defaults/",
        anchor_framework_seed,
        name="anchor_framework_seed",
    ),
    path(
        "<slug:charter_slug>/framework/<uuid:metric_id>/edit/",
        anchor_framework_edit,
        name="anchor_framework_edit",
    ),
    path(
        "<slug:charter_slug>/framework/<uuid:metric_id>/remove/",
        anchor_framework_remove,
        name="anchor_framework_remove",
    ),
    path("<slug:charter_slug>/members/", anchor_member_list, name="anchor_member_list"),
    *admin_rounds.urlpatterns,
]
