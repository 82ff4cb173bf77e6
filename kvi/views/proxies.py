"""Proxy sets for the programme team (tenant admins: MANAGE_FRAMEWORKS): the loaded sets and
their versions, loading a set from the publisher's CSV (refused whole, row by row), reading a
version's values and choosing the version that prices the programme's figures.

Thin: kvi.value reads and writes (and checks permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from kvi import value
from kvi.forms.proxies import ProxySetLoadForm
from kvi.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

VALUES_PER_PAGE = 50


def _list_crumb(tenant) -> tuple[str, str]:
    return ("Proxy sets", reverse("proxy_set_list", args=[tenant.slug]))


def _proxy_set_or_404(tenant, proxy_set_id):
    proxy_set = value.proxy_set_get(tenant=tenant, pk=proxy_set_id)
    if proxy_set is None:
        raise Http404("No such proxy set in this programme.")
    return proxy_set


@tenant_view(Perm.MANAGE_FRAMEWORKS)
def proxy_set_list(request):
    tenant = request.tenant
    return render(
        request,
        "kvi/proxies/list.html",
        {
            "proxy_sets": list(value.proxy_set_list(tenant=tenant)),
            "breadcrumbs": crumbs(tenant, ("Proxy sets", "")),
        },
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def proxy_set_load(request):
    tenant = request.tenant
    form = ProxySetLoadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    row_errors: list[value.ProxyRowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            proxy_set = value.proxy_set_load(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                uploaded_file=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                licence=form.cleaned_data["licence"],
            )
        except value.ProxySetRefused as refusal:
            form.add_service_errors(refusal)
            row_errors = refusal.row_errors
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if proxy_set.created:
                messages.success(
                    request,
                    f"{proxy_set} loaded: it is now the active proxy set, pricing the "
                    "programme's figures.",
                )
            else:
                messages.success(
                    request, f"This file is already loaded as {proxy_set}: nothing changed."
                )
            return redirect("proxy_set_detail", tenant.slug, proxy_set.pk)
    return render(
        request,
        "kvi/proxies/load.html",
        {
            "form": form,
            "row_errors": row_errors,
            "breadcrumbs": crumbs(tenant, _list_crumb(tenant), ("Load a proxy set", "")),
        },
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
def proxy_set_detail(request, proxy_set_id):
    tenant = request.tenant
    proxy_set = _proxy_set_or_404(tenant, proxy_set_id)
    paginator = Paginator(
        value.proxy_value_list(tenant=tenant, proxy_set=proxy_set), VALUES_PER_PAGE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "kvi/proxies/detail.html",
        {
            "proxy_set": proxy_set,
            "page_obj": page_obj,
            "rows": [
                {
                    "value": proxy_value,
                    "rate": value.format_rate(proxy_value.value_per_unit),
                    "deadweight": value.format_quantity(proxy_value.deadweight_pct),
                    "attribution": value.format_quantity(proxy_value.attribution_pct),
                    "dropoff": value.format_quantity(proxy_value.dropoff_pct),
                }
                for proxy_value in page_obj.object_list
            ],
            "breadcrumbs": crumbs(tenant, _list_crumb(tenant), (str(proxy_set), "")),
        },
    )


@tenant_view(Perm.MANAGE_FRAMEWORKS)
@require_http_methods(["GET", "POST"])
def proxy_set_activate(request, proxy_set_id):
    tenant = request.tenant
    proxy_set = _proxy_set_or_404(tenant, proxy_set_id)
    if proxy_set.is_active:
        messages.success(request, f"{proxy_set} is already the active proxy set.")
        return redirect("proxy_set_detail", tenant.slug, proxy_set.pk)
    if request.method == "POST":
        try:
            value.proxy_set_activate(
                tenant=tenant, actor=request.user, access=request.access, proxy_set=proxy_set
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{proxy_set} is now the active proxy set, pricing the programme's figures.",
            )
        return redirect("proxy_set_detail", tenant.slug, proxy_set.pk)
    detail_url = reverse("proxy_set_detail", args=[tenant.slug, proxy_set.pk])
    return render(
        request,
        "kvi/proxies/activate_confirm.html",
        {
            "proxy_set": proxy_set,
            "active": value.active_proxy_set(tenant=tenant),
            "cancel_url": detail_url,
            "breadcrumbs": crumbs(
                tenant,
                _list_crumb(tenant),
                (str(proxy_set), detail_url),
                ("Make this the active version", ""),
            ),
        },
    )


urlpatterns = [
    path("proxy-sets/", proxy_set_list, name="proxy_set_list"),
    path("proxy-sets/load/", proxy_set_load, name="proxy_set_load"),
    path("proxy-sets/<uuid:proxy_set_id>/", proxy_set_detail, name="proxy_set_detail"),
    path(
        "proxy-sets/<uuid:proxy_set_id>/activate/",
        proxy_set_activate,
        name="proxy_set_activate",
    ),
]
