"""Browser pages where a tenant admin manages partner API keys. The secret is shown once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from api import selectors, services
from api.forms import ApiKeyForm
from organisations.selectors import participation_list
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


def _crumbs(tenant, *rest):
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("API keys", reverse("api_key_list", args=[tenant.slug])),
        *rest,
    ]


def _show_secret_once(request, issued) -> None:
    """The new secret goes to the next page through the session, then is gone."""
    request.session["new_api_key"] = {"id": str(issued.api_key.id), "secret": issued.secret_key}


@tenant_view(Perm.MANAGE_API_KEYS)
def api_key_list(request):
    tenant = request.tenant
    show_revoked = request.GET.get("revoked") == "1"
    new_key = request.session.pop("new_api_key", None)
    return render(
        request,
        "api/api_key_list.html",
        {
            "api_keys": selectors.api_key_list(tenant=tenant, include_revoked=show_revoked),
            "show_revoked": show_revoked,
            "new_key": new_key,
            "breadcrumbs": _crumbs(tenant)[:-1] + [("API keys", "")],
        },
    )


@tenant_view(Perm.MANAGE_API_KEYS)
@require_http_methods(["GET", "POST"])
def api_key_create(request):
    tenant = request.tenant
    form = ApiKeyForm(request.POST or None, participations=participation_list(tenant=tenant))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_key_create(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                partner_name=form.cleaned_data["partner_name"],
                scopes=form.cleaned_data["scopes"],
                organisation_ids=form.cleaned_data["organisations"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _show_secret_once(request, issued)
            return redirect("api_key_list", tenant.slug)
    return render(
        request,
        "api/api_key_form.html",
        {"form": form, "breadcrumbs": _crumbs(tenant, ("Create a key", ""))},
    )


def _key_or_404(tenant, key_id):
    api_key = selectors.api_key_get(tenant=tenant, key_id=key_id)
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


@tenant_view(Perm.MANAGE_API_KEYS)
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, key_id):
    tenant = request.tenant
    api_key = _key_or_404(tenant, key_id)
    if request.method == "POST":
        try:
            services.api_key_revoke(
                tenant=tenant, actor=request.user, access=request.access, api_key=api_key
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The key for {api_key.partner_name} no longer works.")
        return redirect("api_key_list", tenant.slug)
    return render(
        request,
        "api/api_key_confirm.html",
        {"api_key": api_key, "action": "revoke", "breadcrumbs": _crumbs(tenant, ("Revoke", ""))},
    )


@tenant_view(Perm.MANAGE_API_KEYS)
@require_http_methods(["GET", "POST"])
def api_key_rotate(request, key_id):
    tenant = request.tenant
    api_key = _key_or_404(tenant, key_id)
    if request.method == "POST":
        try:
            issued = services.api_key_rotate(
                tenant=tenant, actor=request.user, access=request.access, api_key=api_key
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _show_secret_once(request, issued)
        return redirect("api_key_list", tenant.slug)
    return render(
        request,
        "api/api_key_confirm.html",
        {"api_key": api_key, "action": "rotate", "breadcrumbs": _crumbs(tenant, ("Rotate", ""))},
    )
