"""Organisation pages: the tenant's participants, searchable and filterable."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from organisations import selectors, services
from organisations.forms import OrganisationFilterForm, OrganisationForm
from organisations.services import ORGANISATION_FIELDS
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25


def _crumbs(tenant, *rest):
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Organisations", reverse("organisation_list", args=[tenant.slug])),
        *rest,
    ]


@tenant_view(Perm.VIEW_ORGANISATIONS)
def organisation_list(request):
    tenant = request.tenant
    filters = OrganisationFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    participations = selectors.participation_list(
        tenant=tenant,
        search=criteria.get("q", "").strip(),
        organisation_type=criteria.get("organisation_type", ""),
        size_band=criteria.get("size_band", ""),
        place=criteria.get("place", ""),
    )
    page = Paginator(participations, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "querystring": querystring.urlencode(),
            "is_filtered": any(criteria.values()) if criteria else False,
            "can_add": request.access.can(Perm.MANAGE_ORGANISATIONS),
            "breadcrumbs": [
                (tenant.name, reverse("tenant_home", args=[tenant.slug])),
                ("Organisations", ""),
            ],
        },
    )


def _participation_or_404(tenant, organisation_id):
    participation = selectors.participation_get(tenant=tenant, organisation_id=organisation_id)
    if participation is None:
        raise Http404("No such organisation in this programme.")
    return participation


@tenant_view(Perm.VIEW_ORGANISATIONS)
def organisation_detail(request, organisation_id):
    tenant, access = request.tenant, request.access
    participation = _participation_or_404(tenant, organisation_id)
    organisation = participation.organisation
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "participation": participation,
            "organisation": organisation,
            "can_edit": access.can(Perm.MANAGE_ORGANISATIONS)
            or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id),
            "breadcrumbs": _crumbs(tenant, (organisation.name, "")),
        },
    )


@tenant_view(Perm.MANAGE_ORGANISATIONS)
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    tenant = request.tenant
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.organisation_add_to_tenant(
                tenant=tenant, actor=request.user, access=request.access, details=form.to_details()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{participation.organisation.name} added.")
            return redirect("organisation_detail", tenant.slug, participation.organisation_id)
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "title": "Add an organisation",
            "breadcrumbs": _crumbs(tenant, ("Add an organisation", "")),
        },
    )


@tenant_view(Perm.VIEW_ORGANISATIONS)
@require_http_methods(["GET", "POST"])
def organisation_edit(request, organisation_id):
    tenant, access = request.tenant, request.access
    organisation = _participation_or_404(tenant, organisation_id).organisation
    if not (
        access.can(Perm.MANAGE_ORGANISATIONS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id)
    ):
        raise PermissionDenied("You may not edit this organisation.")
    initial = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                tenant=tenant,
                actor=request.user,
                access=access,
                organisation=organisation,
                details=form.to_details(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Organisation details saved.")
            return redirect("organisation_detail", tenant.slug, organisation.id)
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "title": f"Edit {organisation.name}",
            "breadcrumbs": _crumbs(
                tenant,
                (
                    organisation.name,
                    reverse("organisation_detail", args=[tenant.slug, organisation.id]),
                ),
                ("Edit", ""),
            ),
        },
    )
