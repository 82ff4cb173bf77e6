"""Award scheme administration for the programme team (MANAGE_AWARD_SCHEMES): the list of
schemes and their versions, creating a scheme, a version's page (areas, levels, criteria by
area, rubric, pass rule, categories, windows, service levels, reminders), editing a draft
version's settings, copying a version to a new draft, and opening, closing or archiving a
version after a confirmation. A version's parts: awards.views.scheme_parts, whose URL
patterns are joined here.

Thin: awards.selectors and awards.selectors.schemes read, awards.services write (and check
permissions again). Organisation staff and assessors are refused (403); another programme's
versions are not found (404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from awards import services
from awards.forms.schemes import (
    SchemeForm,
    VersionCopyForm,
    VersionForm,
    VersionMoveForm,
    allowed_moves,
    descriptors_text,
    months_text,
)
from awards.models import SchemeStatus
from awards.selectors import schemes as scheme_selectors
from awards.services.schemes import VERSION_FIELDS
from awards.views import scheme_parts
from awards.views.scheme_common import (
    crumbs,
    draft_or_redirect,
    posted,
    to_version,
    version_crumbs,
    version_or_404,
    version_url,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

SCHEMES_PER_PAGE = 20


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
def scheme_list(request):
    tenant = request.tenant
    search = request.GET.get("q", "").strip()
    schemes = scheme_selectors.scheme_admin_list(tenant=tenant, search=search)
    page_obj = Paginator(schemes, SCHEMES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/schemes/scheme_list.html",
        {
            "page_obj": page_obj,
            "schemes": list(page_obj.object_list),
            "search": search,
            "breadcrumbs": crumbs(tenant),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_create(request):
    tenant = request.tenant
    form = SchemeForm(posted(request), initial={"areas_rule": "choose"})
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(**writer(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            version = scheme_selectors.scheme_versions(tenant=tenant, scheme_id=scheme.pk)[0]
            messages.success(
                request,
                f"{scheme.name} created. Version 1 is a draft with four areas: add its levels "
                "and questions, then open it.",
            )
            return to_version(tenant, version)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Create an award scheme",
            "intro": "Version 1 starts as a draft with four areas (environmental, social, "
            "economic and innovation), which you can change.",
            "submit_label": "Create award scheme",
            "cancel_url": reverse("scheme_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(tenant, ("Create an award scheme", "")),
        },
    )


def _criteria_by_area(version, areas) -> list[tuple[str, object, list]]:
    """(heading, area or None, questions): the questions for every area first."""
    criteria = list(version.criteria.all())
    groups: list[tuple[str, object, list]] = [
        ("Every area", None, [c for c in criteria if c.area_id is None])
    ]
    groups += [(area.name, area, [c for c in criteria if c.area_id == area.pk]) for area in areas]
    return groups


def _descriptors(version) -> list[tuple[int, str]]:
    described = version.rubric_descriptors or {}
    return [
        (score, described.get(str(score), ""))
        for score in range(version.rubric_min, version.rubric_max + 1)
    ]


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
def scheme_version_detail(request, version_id):
    tenant = request.tenant
    version = version_or_404(request, version_id)
    versions = scheme_selectors.scheme_versions(tenant=tenant, scheme_id=version.scheme_id)
    this = next(v for v in versions if v.pk == version.pk)
    areas = list(version.areas.all())
    draft = next((v for v in versions if v.status == SchemeStatus.DRAFT), None)
    return render(
        request,
        "awards/schemes/version_detail.html",
        {
            "version": version,
            "areas": areas,
            "levels": list(version.levels.all()),
            "criteria_groups": _criteria_by_area(version, areas),
            "criteria_count": len(version.criteria.all()),
            "categories": list(version.categories.all()),
            "windows": list(version.windows.all()),
            "descriptors": _descriptors(version),
            "versions": versions,
            "application_count": this.application_count,
            "can_edit": version.status == SchemeStatus.DRAFT,
            "can_move": bool(allowed_moves(version.status)),
            "draft": draft,
            "breadcrumbs": version_crumbs(tenant, version),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_version_edit(request, version_id):
    tenant = request.tenant
    version = version_or_404(request, version_id)
    if refused := draft_or_redirect(request, version):
        return refused
    initial = {name: getattr(version, name) for name in VERSION_FIELDS} | {
        "rubric_descriptors": descriptors_text(version.rubric_descriptors or {}),
        "reminder_months": months_text(version.reminder_months),
    }
    form = VersionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_version_update(**writer(request), version=version, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Version {version.number} saved.")
            return to_version(tenant, version)
    title = f"Change the settings of version {version.number}"
    return render(
        request,
        "awards/schemes/version_edit.html",
        {
            "form": form,
            "version": version,
            "title": title,
            "breadcrumbs": version_crumbs(tenant, version, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_version_copy(request, version_id):
    tenant = request.tenant
    version = version_or_404(request, version_id)
    versions = scheme_selectors.scheme_versions(tenant=tenant, scheme_id=version.scheme_id)
    form = VersionCopyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.scheme_version_copy(
                **writer(request), version=version, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {copy.number} started as a draft from version {version.number}. "
                "Applications already made keep their own version.",
            )
            return to_version(tenant, copy)
    this = next(v for v in versions if v.pk == version.pk)
    return render(
        request,
        "awards/schemes/version_copy.html",
        {
            "form": form,
            "version": version,
            "next_number": versions[0].number + 1,
            "application_count": this.application_count,
            "draft": next((v for v in versions if v.status == SchemeStatus.DRAFT), None),
            "cancel_url": version_url(tenant, version),
            "breadcrumbs": version_crumbs(tenant, version, ("Copy to a new version", "")),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_version_move(request, version_id):
    tenant = request.tenant
    version = version_or_404(request, version_id)
    if not allowed_moves(version.status):
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: it cannot "
            "be opened or closed again. Copy it to a new version instead.",
        )
        return to_version(tenant, version)
    form = VersionMoveForm(posted(request), current_status=version.status)
    if request.method == "POST" and form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            services.scheme_version_move(
                **writer(request),
                version=version,
                to_status=to_status,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {version.number} is now {SchemeStatus(to_status).label.lower()}.",
            )
            return redirect(version_url(tenant, version))
    versions = scheme_selectors.scheme_versions(tenant=tenant, scheme_id=version.scheme_id)
    open_other = next(
        (v for v in versions if v.status == SchemeStatus.OPEN and v.pk != version.pk), None
    )
    return render(
        request,
        "awards/schemes/version_move.html",
        {
            "form": form,
            "version": version,
            "open_other": open_other,
            "moves": dict(allowed_moves(version.status)),
            "breadcrumbs": version_crumbs(tenant, version, ("Open, close or archive", "")),
        },
    )


VERSION = "schemes/versions/<uuid:version_id>/"
urlpatterns = [
    path("schemes/", scheme_list, name="scheme_list"),
    path("schemes/new/", scheme_create, name="scheme_create"),
    path(VERSION, scheme_version_detail, name="scheme_version_detail"),
    path(f"{VERSION}edit/", scheme_version_edit, name="scheme_version_edit"),
    path(f"{VERSION}copy/", scheme_version_copy, name="scheme_version_copy"),
    path(f"{VERSION}move/", scheme_version_move, name="scheme_version_move"),
    *scheme_parts.urlpatterns,
]
