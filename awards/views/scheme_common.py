"""Look-ups and helpers shared by the scheme administration pages (awards.views.schemes and
awards.views.scheme_parts): breadcrumbs, the version with everything it holds, refusing to
change a version that is no longer a draft, and the one-form page that calls a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from awards import selectors
from awards.models import SchemeStatus
from awards.views.common import crumbs as award_crumbs


def crumbs(tenant, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through Awards and Award schemes to `rest`."""
    return award_crumbs(
        tenant, ("Award schemes", reverse("scheme_list", args=[tenant.slug])), *rest
    )


def version_url(tenant, version) -> str:
    return reverse("scheme_version_detail", args=[tenant.slug, version.pk])


def version_crumbs(tenant, version, *rest: tuple[str, str]):
    return crumbs(
        tenant, (f"{version.name}, version {version.number}", version_url(tenant, version)), *rest
    )


def to_version(tenant, version):
    return redirect(version_url(tenant, version))


def version_or_404(request, version_id):
    """This tenant's version with its areas, levels, criteria, categories and windows."""
    version = selectors.scheme_version_get(tenant=request.tenant, pk=version_id)
    if version is None:
        raise Http404("No such award scheme version in this programme.")
    return version


def draft_or_redirect(request, version):
    """None when the version is a draft, else a redirect to it with a message."""
    if version.status == SchemeStatus.DRAFT:
        return None
    messages.error(
        request,
        f"Version {version.number} is {version.get_status_display().lower()}: it can no longer "
        "change. Copy it to a new version instead.",
    )
    return to_version(request.tenant, version)


def find_or_404(items, item_id):
    item = next((item for item in items if item.pk == item_id), None)
    if item is None:
        raise Http404("No such part of this award scheme version.")
    return item


def posted(request):
    return request.POST if request.method == "POST" else None


def writer(request) -> dict:
    return {"tenant": request.tenant, "actor": request.user, "access": request.access}


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def save_form(request, version, form, save, *, title, submit_label, done, intro=""):
    """Validate `form`, call `save()` (a service) and go back to the version with a message;
    or show the form page with the errors (a service's field-named errors on their fields)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done.format(saved))
            return to_version(request.tenant, version)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "caption": f"{version.name}, version {version.number}",
            "submit_label": submit_label,
            "cancel_url": version_url(request.tenant, version),
            "breadcrumbs": version_crumbs(request.tenant, version, (title, "")),
        },
    )
