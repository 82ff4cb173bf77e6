"""The public pages of a programme's charters: no sign-in, cacheable for five minutes, and a
fixed number of queries whatever the number of signatories (the selectors join what the pages
show; labels come from model choices).

Not wrapped by tenant_view: each view takes `tenant_slug` and refuses (404) when there is no
programme at the address or nothing has been published."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from charters import selectors
from charters.forms.public import RegisterFilterForm
from charters.models import ON_REGISTER, VersionStatus
from charters.views.common import (
    READABLE_BY_ALL,
    charter_with_versions_or_404,
    pledge_groups,
    published_of,
)
from organisations.models import Sector

CACHE_SECONDS = 300
REGISTER_PAGE_SIZE = 50


def _public(request, template: str, context: dict):
    """Render a public page: cacheable by anyone for five minutes when signed out. A signed-in
    visitor's page carries their name in the header, so it is cached only by their browser."""
    response = render(request, template, context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _tenant_or_404(request):
    if request.tenant is None:
        raise Http404("There is no programme at this address.")
    return request.tenant


def _published_charter(request, charter_slug):
    """The charter with its versions (two queries) and its published version, or 404."""
    tenant = _tenant_or_404(request)
    charter = charter_with_versions_or_404(tenant, charter_slug)
    versions = list(charter.versions.all())
    published = published_of(versions)
    if published is None:
        raise Http404("This charter has not been published.")
    return tenant, charter, versions, published


def _signed_text(count: int) -> str:
    return f"{count} organisation{'s' if count != 1 else ''} {'have' if count != 1 else 'has'}"


@require_safe
def public_charter_list(request, tenant_slug):
    tenant = _tenant_or_404(request)
    versions = list(selectors.published_charters(tenant=tenant))
    if not versions:
        raise Http404("This programme has not published a charter.")
    return _public(
        request,
        "charters/public/charter_list.html",
        {
            "charters": [(v, _signed_text(v.register_count)) for v in versions],
            "tenant": tenant,
        },
    )


@require_safe
def public_charter(request, tenant_slug, charter_slug):
    tenant, charter, versions, published = _published_charter(request, charter_slug)
    version = selectors.published_version(tenant=tenant, charter=charter)
    count = selectors.register_count(tenant=tenant, charter=charter)
    return _public(
        request,
        "charters/public/charter.html",
        {
            "tenant": tenant,
            "charter": charter,
            "version": version,
            "signed_text": _signed_text(count),
            "signed_count": count,
            "earlier_versions": [v for v in versions if v.status == VersionStatus.SUPERSEDED],
        },
    )


@require_safe
def public_version(request, tenant_slug, charter_slug, number):
    tenant, charter, versions, published = _published_charter(request, charter_slug)
    version = selectors.version_get(tenant=tenant, charter=charter, number=number)
    if version is None or version.status not in READABLE_BY_ALL:
        raise Http404("This version of the charter is not public.")
    return _public(
        request,
        "charters/public/version.html",
        {
            "tenant": tenant,
            "charter": charter,
            "version": version,
            "current": published,
            "earlier_versions": [
                v
                for v in versions
                if v.status == VersionStatus.SUPERSEDED and v.number != version.number
            ],
        },
    )


@require_safe
def public_register(request, tenant_slug, charter_slug):
    tenant, charter, versions, published = _published_charter(request, charter_slug)
    tiers = list(selectors.tier_list(tenant=tenant, charter=charter)) if charter.has_tiers else []
    form = RegisterFilterForm(request.GET or None, tiers=tiers)
    if form.is_bound:
        form.is_valid()  # wrong values are left out of the filters and shown as errors
    filters = form.filters()
    signatories = selectors.register(tenant=tenant, charter=charter, filters=filters)
    page = Paginator(signatories, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    is_filtered = filters != selectors.RegisterFilters()
    if is_filtered:
        total = selectors.register_count(tenant=tenant, charter=charter)
    else:
        total = page.paginator.count
    sectors = dict(Sector.choices)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return _public(
        request,
        "charters/public/register.html",
        {
            "tenant": tenant,
            "charter": charter,
            "version": published,
            "form": form,
            "page_obj": page,
            "rows": [(s, sectors[s.organisation.sector]) for s in page.object_list],
            "total": total,
            "total_text": _signed_text(total),
            "is_filtered": is_filtered,
            "show_tier": len(tiers) > 1,
            "querystring": querystring.urlencode(),
        },
    )


@require_safe
def public_signatory(request, tenant_slug, charter_slug, organisation_id):
    tenant, charter, versions, published = _published_charter(request, charter_slug)
    signatory = selectors.signatory_with_pledges(
        tenant=tenant, charter=charter, organisation_id=organisation_id
    )
    if signatory is None or signatory.status not in ON_REGISTER:
        raise Http404("This organisation is not on the register.")
    return _public(
        request,
        "charters/public/signatory.html",
        {
            "tenant": tenant,
            "charter": charter,
            "signatory": signatory,
            "organisation": signatory.organisation,
            "sector": dict(Sector.choices)[signatory.organisation.sector],
            "pledge_groups": pledge_groups(signatory.pledges.all()),
            "show_tier": charter.has_tiers,
        },
    )
