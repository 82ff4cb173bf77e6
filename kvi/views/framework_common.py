"""Look-ups and helpers shared by the framework pages (kvi.views.frameworks,
kvi.views.framework_items, kvi.views.library): who may read a version, the version's tree, and
the one-form page that calls a service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from kvi import selectors
from kvi.models import FrameworkStatus
from kvi.views.common import crumbs
from tenancy.permissions import Perm

READABLE = (FrameworkStatus.PUBLISHED, FrameworkStatus.SUPERSEDED)


def require_reader(access) -> None:
    """Frameworks are read by those who manage them or may see any KVIs."""
    if not (
        access.can(Perm.MANAGE_FRAMEWORKS)
        or access.can(Perm.VIEW_KVIS)
        or access.can_for_any_organisation(Perm.VIEW_OWN_KVIS)
    ):
        raise PermissionDenied("You do not have permission to see frameworks in this programme.")


def framework_or_404(request, framework_id, organisation=None):
    """The version with its tree (fixed queries) if this person may read it: drafts only for
    those who manage frameworks."""
    require_reader(request.access)
    framework = selectors.framework_tree(
        tenant=request.tenant, framework_id=framework_id, organisation=organisation
    )
    if framework is None or (
        framework.status not in READABLE and not request.access.can(Perm.MANAGE_FRAMEWORKS)
    ):
        raise Http404("No such framework version in this programme.")
    return framework


def draft_or_redirect(request, framework):
    """None when the version is a draft, else a redirect to it with a message."""
    if framework.status == FrameworkStatus.DRAFT:
        return None
    messages.error(
        request,
        f"{framework} is {framework.get_status_display().lower()}: only a draft can change. "
        "Start a new version first.",
    )
    return redirect("framework_detail", request.tenant.slug, framework.pk)


def framework_crumbs(tenant, framework, *rest):
    return crumbs(
        tenant,
        ("Frameworks", reverse("framework_list", args=[tenant.slug])),
        (str(framework), reverse("framework_detail", args=[tenant.slug, framework.pk])),
        *rest,
    )


def subthemes_of(framework) -> list:
    return [subtheme for theme in framework.themes.all() for subtheme in theme.subthemes.all()]


def metrics_of(framework) -> list:
    return [metric for subtheme in subthemes_of(framework) for metric in subtheme.metrics.all()]


def find_or_404(items, item_id):
    item = next((item for item in items if item.pk == item_id), None)
    if item is None:
        raise Http404("No such part of this framework version.")
    return item


def posted(request):
    return request.POST if request.method == "POST" else None


def save_form(request, framework, form, save, *, title, submit_label, done, organisation=None):
    """Validate `form`, call `save(cleaned_data)` (a service), and go back to the version with a
    message; or show the form page with the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done.format(saved))
            url = reverse("framework_detail", args=[request.tenant.slug, framework.pk])
            return redirect(f"{url}?organisation={organisation.pk}" if organisation else url)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": str(framework),
            "submit_label": submit_label,
            "cancel_url": reverse("framework_detail", args=[request.tenant.slug, framework.pk]),
            "breadcrumbs": framework_crumbs(request.tenant, framework, (title, "")),
        },
    )


def writer(request) -> dict:
    return {"tenant": request.tenant, "actor": request.user, "access": request.access}
