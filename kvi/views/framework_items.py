"""Framework pages for editing: a draft's themes, sub-themes, metrics and crosswalks (tenant
admins, MANAGE_FRAMEWORKS), removing them after a confirmation page, and an organisation's own
metrics on the published version (its admins, or tenant admins).

Thin: kvi.selectors read (through kvi.views.framework_common), kvi.frameworks writes (and checks
permissions again). The URL patterns are joined by kvi.views.frameworks."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from kvi import frameworks as services
from kvi.forms.frameworks import CrosswalkForm, MetricForm, SubThemeForm, ThemeForm
from kvi.models import FrameworkStatus
from kvi.views.common import organisation_or_404
from kvi.views.framework_common import (
    draft_or_redirect,
    find_or_404,
    framework_crumbs,
    framework_or_404,
    metrics_of,
    posted,
    save_form,
    subthemes_of,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

ITEM_NOUNS = {
    "themes": "theme",
    "sub-themes": "sub-theme",
    "metrics": "metric",
    "crosswalks": "crosswalk",
}


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def theme_edit(request, framework_id, theme_id=None):
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    themes = list(framework.themes.all())
    theme = find_or_404(themes, theme_id) if theme_id else None
    initial = (
        {"name": theme.name, "position": theme.position} if theme else {"position": len(themes) + 1}
    )
    return save_form(
        request,
        framework,
        ThemeForm(posted(request), initial=initial),
        lambda data: services.theme_save(
            **writer(request), framework=framework, theme=theme, **data
        ),
        title="Change the theme" if theme else "Add a theme",
        submit_label="Save theme",
        done="Theme '{}' saved.",
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def subtheme_edit(request, framework_id, theme_id=None, subtheme_id=None):
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    subtheme = find_or_404(subthemes_of(framework), subtheme_id) if subtheme_id else None
    theme = subtheme.theme if subtheme else find_or_404(framework.themes.all(), theme_id)
    if subtheme:
        initial = {
            "name": subtheme.name,
            "description": subtheme.description,
            "position": subtheme.position,
        }
    else:
        initial = {"position": len(theme.subthemes.all()) + 1}
    return save_form(
        request,
        framework,
        SubThemeForm(posted(request), initial=initial),
        lambda data: services.subtheme_save(
            **writer(request), theme=theme, subtheme=subtheme, **data
        ),
        title=f"Change the sub-theme of {theme}" if subtheme else f"Add a sub-theme to {theme}",
        submit_label="Save sub-theme",
        done="Sub-theme '{}' saved.",
    )


def _metric_page(request, framework, metric=None, organisation=None):
    """Add or change a metric: the tenant's (in a draft) or an organisation's own."""
    fields = [
        "code",
        "name",
        "definition",
        "unit",
        "direction",
        "aggregation",
        "proxy_measure_code",
        "feed",
        "position",
    ]
    if metric:
        initial = {name: getattr(metric, name) for name in fields} | {
            "subtheme": str(metric.subtheme_id)
        }
    else:
        initial = {
            "position": len(metrics_of(framework)) + 1,
            "feed": "",
            "subtheme": request.GET.get("subtheme", ""),
        }
    form = MetricForm(posted(request), initial=initial, subthemes=subthemes_of(framework))
    if organisation is None:
        title = "Change the metric" if metric else "Add a metric"
    else:
        title = f"{'Change' if metric else 'Add'} a metric of {organisation.name}'s own"
    return save_form(
        request,
        framework,
        form,
        lambda data: services.metric_save(
            **writer(request), organisation=organisation, metric=metric, **data
        ),
        title=title,
        submit_label="Save metric",
        done="Metric '{}' saved.",
        organisation=organisation,
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def metric_edit(request, framework_id, metric_id=None):
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    metric = find_or_404(metrics_of(framework), metric_id) if metric_id else None
    return _metric_page(request, framework, metric)


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def crosswalk_create(request, framework_id, metric_id):
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    metric = find_or_404(metrics_of(framework), metric_id)
    return save_form(
        request,
        framework,
        CrosswalkForm(posted(request)),
        lambda data: services.crosswalk_add(**writer(request), metric=metric, **data),
        title=f"Map {metric.code} to another framework",
        submit_label="Save crosswalk",
        done="Crosswalk to {} saved.",
    )


def _removable(framework, kind: str, item_id):
    if kind == "themes":
        return find_or_404(framework.themes.all(), item_id)
    if kind == "sub-themes":
        return find_or_404(subthemes_of(framework), item_id)
    metrics = metrics_of(framework)
    if kind == "metrics":
        return find_or_404(metrics, item_id)
    return find_or_404([c for metric in metrics for c in metric.crosswalks.all()], item_id)


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def item_remove(request, framework_id, kind, item_id):
    if kind not in ITEM_NOUNS:
        raise Http404("A framework has themes, sub-themes, metrics and crosswalks only.")
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    item = _removable(framework, kind, item_id)
    noun = ITEM_NOUNS[kind]
    if request.method == "POST":
        try:
            services.framework_item_remove(**writer(request), item=item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The {noun} '{item}' was removed.")
        return redirect("framework_detail", request.tenant.slug, framework.pk)
    return render(
        request,
        "kvi/frameworks/item_remove.html",
        {
            "framework": framework,
            "item": item,
            "noun": noun,
            "kind": kind,
            "breadcrumbs": framework_crumbs(request.tenant, framework, (f"Remove the {noun}", "")),
        },
    )


# --- An organisation's own metrics -------------------------------------------------------------


@tenant_view()
@require_http_methods(["GET", "POST"])
def organisation_metric_edit(request, framework_id, organisation_id, metric_id=None):
    access = request.access
    organisation = organisation_or_404(request, organisation_id)
    if not (
        access.can(Perm.MANAGE_FRAMEWORKS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.pk)
    ):
        raise PermissionDenied("You may not add metrics for this organisation.")
    framework = framework_or_404(request, framework_id, organisation)
    if framework.status == FrameworkStatus.SUPERSEDED:
        messages.error(request, f"{framework} has been superseded: add metrics to the current one.")
        return redirect("framework_detail", request.tenant.slug, framework.pk)
    metric = None
    if metric_id:
        own = [m for m in metrics_of(framework) if m.organisation_id == organisation.pk]
        metric = find_or_404(own, metric_id)
    return _metric_page(request, framework, metric, organisation)


FRAMEWORK = "frameworks/<uuid:framework_id>/"
urlpatterns = [
    path(f"{FRAMEWORK}themes/new/", theme_edit, name="framework_theme_create"),
    path(f"{FRAMEWORK}themes/<uuid:theme_id>/", theme_edit, name="framework_theme_edit"),
    path(
        f"{FRAMEWORK}themes/<uuid:theme_id>/sub-themes/new/",
        subtheme_edit,
        name="framework_subtheme_create",
    ),
    path(
        f"{FRAMEWORK}sub-themes/<uuid:subtheme_id>/", subtheme_edit, name="framework_subtheme_edit"
    ),
    path(f"{FRAMEWORK}metrics/new/", metric_edit, name="framework_metric_create"),
    path(f"{FRAMEWORK}metrics/<uuid:metric_id>/", metric_edit, name="framework_metric_edit"),
    path(
        f"{FRAMEWORK}metrics/<uuid:metric_id>/crosswalks/new/",
        crosswalk_create,
        name="framework_crosswalk_create",
    ),
    path(
        f"{FRAMEWORK}<str:kind>/<uuid:item_id>/remove/", item_remove, name="framework_item_remove"
    ),
    path(
        f"{FRAMEWORK}organisations/<uuid:organisation_id>/metrics/new/",
        organisation_metric_edit,
        name="organisation_metric_create",
    ),
    path(
        f"{FRAMEWORK}organisations/<uuid:organisation_id>/metrics/<uuid:metric_id>/",
        organisation_metric_edit,
        name="organisation_metric_edit",
    ),
]
