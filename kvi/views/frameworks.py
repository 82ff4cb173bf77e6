"""Framework pages: the list of frameworks and versions, a version's tree (theme -> sub-theme ->
metrics with their crosswalks), and for tenant admins (MANAGE_FRAMEWORKS) creating a framework,
publishing a draft and starting a new version. Everyone who may see KVIs reads published (and
superseded) versions. Editing a draft and organisations' own metrics: kvi.views.framework_items,
whose URL patterns are joined here.

Thin: kvi.selectors read, kvi.frameworks writes (and checks permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from kvi import frameworks as services
from kvi import selectors
from kvi.forms.frameworks import FrameworkForm
from kvi.models import FrameworkStatus
from kvi.views import framework_items
from kvi.views.common import crumbs, organisation_or_404
from kvi.views.framework_common import (
    READABLE,
    draft_or_redirect,
    framework_crumbs,
    framework_or_404,
    metrics_of,
    posted,
    require_reader,
    writer,
)
from organisations import selectors as organisation_selectors
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view()
def framework_list(request):
    tenant, access = request.tenant, request.access
    require_reader(access)
    manager = access.can(Perm.MANAGE_FRAMEWORKS)
    versions = selectors.framework_list(tenant=tenant)
    if not manager:
        versions = versions.filter(status__in=READABLE)
    return render(
        request,
        "kvi/frameworks/framework_list.html",
        {
            "versions": list(versions),
            "can_manage": manager,
            "breadcrumbs": crumbs(tenant, ("Frameworks", "")),
        },
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def framework_create(request):
    tenant = request.tenant
    form = FrameworkForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_create(**writer(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{framework} created as a draft.")
            return redirect("framework_detail", tenant.slug, framework.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Create a framework",
            "intro": "Version 1 starts as a draft: add its themes, sub-themes and metrics, "
            "then publish it.",
            "submit_label": "Create framework",
            "cancel_url": reverse("framework_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(
                tenant,
                ("Frameworks", reverse("framework_list", args=[tenant.slug])),
                ("Create a framework", ""),
            ),
        },
    )


def _viewing_organisation(request):
    """The organisation whose own metrics the page shows: ?organisation=, or the person's only
    organisation; None for the tenant's metrics only."""
    access = request.access
    organisation_id = request.GET.get("organisation", "")
    own = access.organisations_with(Perm.VIEW_OWN_KVIS)
    if not organisation_id and len(own) == 1 and not access.can(Perm.VIEW_KVIS):
        organisation_id = own[0]
    if not organisation_id:
        return None
    try:
        return organisation_or_404(request, organisation_id)
    except ValidationError as error:
        raise Http404("No such organisation in this programme.") from error


@tenant_view()
def framework_detail(request, framework_id):
    tenant, access = request.tenant, request.access
    require_reader(access)
    organisation = _viewing_organisation(request)
    framework = framework_or_404(request, framework_id, organisation)
    manager = access.can(Perm.MANAGE_FRAMEWORKS)
    if access.can(Perm.VIEW_KVIS):
        choices = organisation_selectors.participation_list(tenant=tenant)
    else:
        choices = organisation_selectors.participation_list(tenant=tenant).filter(
            organisation_id__in=access.organisations_with(Perm.VIEW_OWN_KVIS)
        )
    may_add_own = (
        organisation is not None
        and framework.status != FrameworkStatus.SUPERSEDED
        and (manager or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.pk))
    )
    return render(
        request,
        "kvi/frameworks/framework_detail.html",
        {
            "framework": framework,
            "themes": framework.themes.all(),
            "can_manage": manager,
            "can_edit": manager and framework.status == FrameworkStatus.DRAFT,
            "organisation": organisation,
            "organisation_choices": list(choices),
            "may_add_own": may_add_own,
            "breadcrumbs": crumbs(
                tenant,
                ("Frameworks", reverse("framework_list", args=[tenant.slug])),
                (str(framework), ""),
            ),
        },
    )


def _confirm_page(request, framework, *, template: str, action, done: str, title: str):
    if request.method == "POST":
        try:
            result = action(**writer(request), framework=framework)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("framework_detail", request.tenant.slug, framework.pk)
        messages.success(request, done.format(result))
        return redirect("framework_detail", request.tenant.slug, result.pk)
    return render(
        request,
        template,
        {
            "framework": framework,
            "metric_count": len(metrics_of(framework)),
            "breadcrumbs": framework_crumbs(request.tenant, framework, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def framework_publish(request, framework_id):
    framework = framework_or_404(request, framework_id)
    if refused := draft_or_redirect(request, framework):
        return refused
    return _confirm_page(
        request,
        framework,
        template="kvi/frameworks/publish_confirm.html",
        action=services.framework_publish,
        done="{} published.",
        title="Publish",
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def framework_new_version(request, framework_id):
    framework = framework_or_404(request, framework_id)
    return _confirm_page(
        request,
        framework,
        template="kvi/frameworks/new_version_confirm.html",
        action=services.framework_new_version,
        done="{} started as a draft.",
        title="Start a new version",
    )


FRAMEWORK = "frameworks/<uuid:framework_id>/"
urlpatterns = [
    path("frameworks/", framework_list, name="framework_list"),
    path("frameworks/new/", framework_create, name="framework_create"),
    path(FRAMEWORK, framework_detail, name="framework_detail"),
    path(f"{FRAMEWORK}publish/", framework_publish, name="framework_publish"),
    path(f"{FRAMEWORK}new-version/", framework_new_version, name="framework_new_version"),
    *framework_items.urlpatterns,
]
