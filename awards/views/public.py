"""The public award pages under /t/<tenant>/public/awards/: the list of current holders and
"verify an award" (by the code on a certificate, or by organisation). No sign-in needed; each
page runs a fixed number of queries whatever the number of awards.

Not wrapped by tenant_view: each view takes `tenant_slug` and answers 404 when there is no
programme at the address."""

import uuid

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from awards import verification
from awards.forms.public import HolderSearchForm, VerifyForm
from awards.selectors.held import (
    organisation_with_awards,
    organisations_with_awards,
    public_holders,
)

HOLDERS_PAGE_SIZE = 50
HOLDERS_CACHE_SECONDS = 300
# A revocation must show quickly on the verify page: cached for one minute at most.
VERIFY_CACHE_SECONDS = 60
ORGANISATION_MATCHES = 20


def _tenant_or_404(request):
    if request.tenant is None:
        raise Http404("There is no programme at this address.")
    return request.tenant


def _public(request, template: str, context: dict, *, max_age: int):
    response = render(request, template, context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def public_award_holders(request, tenant_slug):
    tenant = _tenant_or_404(request)
    form = HolderSearchForm(request.GET or None)
    q = form.query() if form.is_bound else ""
    holders = public_holders(tenant=tenant, q=q)
    page = Paginator(holders, HOLDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return _public(
        request,
        "awards/public/holders.html",
        {
            "tenant": tenant,
            "form": form,
            "q": q,
            "page_obj": page,
            "querystring": querystring.urlencode(),
            "today": timezone.localdate(),
        },
        max_age=HOLDERS_CACHE_SECONDS,
    )


def _result(check: verification.AwardCheck | None) -> dict | None:
    if check is None:
        return None
    return {
        "check": check,
        "status": check.status,
        "code": verification.format_code(check.award.verification_code),
    }


@require_safe
def public_award_verify(request, tenant_slug):
    """By `code`, by `organisation` (a name: one match is checked, several are listed) or by
    `organisation_id` (a match chosen from that list)."""
    tenant = _tenant_or_404(request)
    form = VerifyForm(request.GET if {"code", "organisation"} & set(request.GET) else None)
    context: dict = {"tenant": tenant, "form": form, "searched": False}
    organisation_id = request.GET.get("organisation_id", "")
    if organisation_id and form.is_bound is False:
        context["searched"] = True
        organisation = _organisation(tenant, organisation_id)
        check = verification.award_verify_organisation(
            tenant=tenant, organisation_id=organisation["id"]
        )
        context.update(by="organisation", organisation=organisation, result=_result(check))
    elif form.is_bound and form.is_valid():
        context["searched"] = True
        code = form.cleaned_data["code"]
        if code:
            context.update(
                by="code",
                code=verification.format_code(code),
                result=_result(verification.award_verify(tenant=tenant, code=code)),
            )
        else:
            name = form.cleaned_data["organisation"].strip()
            matches = organisations_with_awards(
                tenant=tenant, name=name, limit=ORGANISATION_MATCHES
            )
            context.update(by="organisation", name=name, matches=matches[:ORGANISATION_MATCHES])
            context["too_many"] = len(matches) > ORGANISATION_MATCHES
            if len(matches) == 1:
                context["organisation"] = matches[0]
                context["result"] = _result(
                    verification.award_verify_organisation(
                        tenant=tenant, organisation_id=matches[0]["id"]
                    )
                )
    return _public(request, "awards/public/verify.html", context, max_age=VERIFY_CACHE_SECONDS)


def _organisation(tenant, organisation_id) -> dict:
    try:
        organisation_id = uuid.UUID(organisation_id)
    except ValueError:
        raise Http404("No organisation has this id.") from None
    organisation = organisation_with_awards(tenant=tenant, organisation_id=organisation_id)
    if organisation is None:
        raise Http404("No organisation with an award of this programme has this id.")
    return organisation


urlpatterns = [
    path("", public_award_holders, name="public_award_holders"),
    path("verify/", public_award_verify, name="public_award_verify"),
]
