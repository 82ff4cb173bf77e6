"""Local area settings for tenant admins (MANAGE_TENANT_SETTINGS): the programme's local areas
(a name and the local authority districts that make it up, used for local spend) and each
area's population make-up (ethnicity, disability, IMD quintile), which workforce figures are
compared with.

Thin: kvi.selectors read, kvi.services and kvi.local_areas write (and check permissions)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from kvi import selectors, services
from kvi.forms.local_areas import (
    POPULATION_LABELS,
    LocalAreaForm,
    PopulationForm,
    population_text,
)
from kvi.local_areas import POPULATION_CATEGORIES, local_area_population_save
from kvi.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


def _local_area_or_404(tenant, local_area_id):
    local_area = selectors.local_area_list(tenant=tenant).filter(pk=local_area_id).first()
    if local_area is None:
        raise Http404("No such local area in this programme.")
    return local_area


def _crumbs(tenant, *rest):
    return crumbs(tenant, ("Local area", reverse("local_area_list", args=[tenant.slug])), *rest)


def _posted(request):
    return request.POST if request.method == "POST" else None


@tenant_view(Perm.MANAGE_TENANT_SETTINGS)
def local_area_list(request):
    tenant = request.tenant
    areas = [
        {
            "area": area,
            "population": [
                (POPULATION_LABELS[category], area.population.get(category) or {})
                for category in POPULATION_CATEGORIES
            ],
        }
        for area in selectors.local_area_list(tenant=tenant)
    ]
    return render(
        request,
        "kvi/local_areas/local_area_list.html",
        {"areas": areas, "breadcrumbs": crumbs(tenant, ("Local area", ""))},
    )


@tenant_view(Perm.MANAGE_TENANT_SETTINGS)
@require_http_methods(["GET", "POST"])
def local_area_edit(request, local_area_id=None):
    tenant = request.tenant
    local_area = _local_area_or_404(tenant, local_area_id) if local_area_id else None
    initial = None
    if local_area is not None:
        initial = {"name": local_area.name, "district_codes": "\n".join(local_area.district_codes)}
    form = LocalAreaForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.local_area_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                local_area=local_area,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Local area '{saved}' saved.")
            return redirect("local_area_list", tenant.slug)
    title = "Change the local area" if local_area else "Add a local area"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "intro": "Suppliers and staff whose postcodes fall in these districts count as local.",
            "submit_label": "Save local area",
            "cancel_url": reverse("local_area_list", args=[tenant.slug]),
            "breadcrumbs": _crumbs(tenant, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_TENANT_SETTINGS)
@require_http_methods(["GET", "POST"])
def local_area_population(request, local_area_id):
    tenant = request.tenant
    local_area = _local_area_or_404(tenant, local_area_id)
    initial = {
        category: population_text(local_area.population.get(category))
        for category in POPULATION_CATEGORIES
    }
    form = PopulationForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            local_area_population_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                local_area=local_area,
                population=form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The population of {local_area} saved.")
            return redirect("local_area_list", tenant.slug)
    title = "The local population"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": local_area.name,
            "intro": "The percentage of local people in each group, to compare the workforce "
            "with. Leave a category empty if you do not have its figures; each one you give "
            "must add up to 100.",
            "submit_label": "Save population",
            "cancel_url": reverse("local_area_list", args=[tenant.slug]),
            "breadcrumbs": _crumbs(tenant, (title, "")),
        },
    )


urlpatterns = [
    path("local-area/", local_area_list, name="local_area_list"),
    path("local-area/new/", local_area_edit, name="local_area_create"),
    path("local-area/<uuid:local_area_id>/", local_area_edit, name="local_area_edit"),
    path(
        "local-area/<uuid:local_area_id>/population/",
        local_area_population,
        name="local_area_population",
    ),
]
